-- Companies were matched by lower(name), which folds ASCII only: "ÓPTICA RUIZ" and "Óptica Ruiz" were one
-- company but "óptica ruiz" another, and "Telefonica" never met "Telefónica". A company's key is now its
-- name folded as names are (domain::text::fold), written by the store; the hook fills it and indexes it.
-- Companies already split that way stay as they are; new leads go to the oldest of them.
ALTER TABLE accounts ADD COLUMN name_key TEXT;
