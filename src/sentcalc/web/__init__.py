"""`sentcalc serve`: the local web app (the `web` extra). It calls the library the CLI calls and renders the
documents it returns; it computes and checks nothing on its own."""
