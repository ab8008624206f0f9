-- Names and companies are compared with the letters that are no accented form of another (ø, ł, ß, æ, …)
-- written with plain ones ("søren" is "soren"), as search finds them: the keys stored of those that have
-- one are written again by the hook (`plain_letter_keys`).
SELECT 1;
