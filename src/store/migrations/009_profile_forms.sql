-- Social profile addresses logged before they were kept in one form ("http://es.linkedin.com/in/Ana/"
-- and "https://www.linkedin.com/in/ana" are one person) are rewritten in that form by the step that
-- follows this file (`schema::canonical_profiles`), so `dedupe` and later imports see one value.

