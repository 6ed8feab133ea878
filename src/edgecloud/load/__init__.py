"""The load test's pure parts: prompt set and task mix, stream timing, load shapes, UE placement
and the summary of a run. ``loadtest/locustfile.py`` wires them into Locust."""
