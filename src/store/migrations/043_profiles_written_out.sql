-- LinkedIn member pages are kept with their name written out ("zoë", not "zo%c3%ab"): the hook
-- `profiles_written_out` rewrites the profiles of leads and social touches kept percent-encoded.
SELECT 1;
