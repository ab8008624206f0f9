-- A forgotten person stays out of the search index whatever later writes their lead row (a lifecycle
-- change, a deal of theirs won): the insert and update triggers are made again to skip forgotten leads.
DROP TRIGGER IF EXISTS leads_fts_insert;
DROP TRIGGER IF EXISTS leads_fts_update;
CREATE TRIGGER leads_fts_insert AFTER INSERT ON leads WHEN new.deleted_at IS NULL AND new.forgotten_at IS NULL BEGIN
    INSERT INTO lead_fts(rowid, name, email, phone, company, title, tags)
    VALUES (new.seq, new.first_name || ' ' || new.last_name, new.email,
            new.phone || ' ' || replace(replace(replace(replace(replace(replace(new.phone, ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '/', ''),
            (SELECT name FROM accounts WHERE id = new.account_id), new.title, new.tags);
END;
CREATE TRIGGER leads_fts_update AFTER UPDATE OF first_name, last_name, email, phone, account_id, title, tags, deleted_at
ON leads BEGIN
    DELETE FROM lead_fts WHERE rowid = old.seq;
    INSERT INTO lead_fts(rowid, name, email, phone, company, title, tags)
    SELECT new.seq, new.first_name || ' ' || new.last_name, new.email,
           new.phone || ' ' || replace(replace(replace(replace(replace(replace(new.phone, ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '/', ''),
           (SELECT name FROM accounts WHERE id = new.account_id), new.title, new.tags
    WHERE new.deleted_at IS NULL AND new.forgotten_at IS NULL;
END;
-- Forgotten leads a later write put back in the index are taken out.
DELETE FROM lead_fts WHERE rowid IN (SELECT seq FROM leads WHERE forgotten_at IS NOT NULL);
