-- What a lead lost is kept as written (`former_contacts`, migration 045, now says so): a database that
-- made the table when it held hashes has it made again by the hook (`former_contacts_as_written`); the
-- few rows it held then go, as what a lead lost is kept from the edit on.
SELECT 1;
