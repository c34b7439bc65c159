"""The shop's report: its text summary, its charts and the page that holds them (`xiaoer report`)."""
