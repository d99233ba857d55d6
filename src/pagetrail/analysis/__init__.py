"""Pure analyzers: evidence in, hypotheses out. One module per layer, plus ranking, severity
and the merged timeline. Nothing here knows where the evidence came from."""
