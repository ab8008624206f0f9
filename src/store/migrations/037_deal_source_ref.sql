-- The id a deal has in the CRM a file brought it from (Pipedrive's "Deal - ID"): that CRM's next export of
-- the deal is this one, whatever its title, amount or stage have become there.
ALTER TABLE deals ADD COLUMN source_ref TEXT;
