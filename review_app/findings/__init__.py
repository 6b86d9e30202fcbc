"""The findings workflow: the review queue, verdicts and operators' replies, random samples, operator scorecards."""
