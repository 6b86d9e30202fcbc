from seffaf.cli.main import app

app(prog_name="seffaf")
