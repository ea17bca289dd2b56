"""The service layer: plain functions that plan a pass, analyse captures, deliver alerts and
answer queries. The CLI, the REST API, the web UI and the Prefect flows all call these; nothing
here imports Prefect."""
