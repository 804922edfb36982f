"""The places wing: wijken and their reach, comparable municipalities, expertise exposure
and the gap between wage rises and indexation (issue 19), with the signals from practice
beside those figures (``stories``, issue 18)."""
