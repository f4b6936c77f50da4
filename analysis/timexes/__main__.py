"""``python -m analysis.timexes``: save the start keys of the time-expression rules
(``analysis/timexes/rule_keys.json``) after editing the rules or their patterns code,
so that the stage starts without working them out (a test says when it is due)."""

from .patterns import write_rule_keys

print(f"wrote {write_rule_keys()}")
