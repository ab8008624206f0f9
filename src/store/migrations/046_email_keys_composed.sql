-- E-mail addresses are compared with their accents composed ("ü" one character, as most keyboards type it,
-- not "u" and a combining mark, as macOS pastes it): the keys stored of addresses with such letters are
-- written again by the hook (`email_keys_composed`).
SELECT 1;
