-- A lead's other e-mails are searched as its own is: the search index's e-mail column holds them all, and
-- adding, moving or removing one indexes its lead again (through the update trigger, as a company rename
-- does). Leads that have some are indexed again now.
DROP TRIGGER IF EXISTS leads_fts_insert;
DROP TRIGGER IF EXISTS leads_fts_update;
CREATE TRIGGER leads_fts_insert AFTER INSERT ON leads WHEN new.deleted_at IS NULL AND new.forgotten_at IS NULL BEGIN
    INSERT INTO lead_fts(rowid, name, email, phone, company, title, tags)
    VALUES (new.seq, new.first_name || ' ' || new.last_name,
            coalesce(new.email || ifnull(' ' || (SELECT group_concat(e.email, ' ') FROM lead_emails e WHERE e.lead_id = new.id), ''), (SELECT group_concat(e.email, ' ') FROM lead_emails e WHERE e.lead_id = new.id)),
            new.phone || ' ' || replace(replace(replace(replace(replace(replace(new.phone, ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '/', ''),
            (SELECT name FROM accounts WHERE id = new.account_id), new.title, new.tags);
END;
CREATE TRIGGER leads_fts_update AFTER UPDATE OF first_name, last_name, email, phone, account_id, title, tags, deleted_at
ON leads BEGIN
    DELETE FROM lead_fts WHERE rowid = old.seq;
    INSERT INTO lead_fts(rowid, name, email, phone, company, title, tags)
    SELECT new.seq, new.first_name || ' ' || new.last_name,
           coalesce(new.email || ifnull(' ' || (SELECT group_concat(e.email, ' ') FROM lead_emails e WHERE e.lead_id = new.id), ''), (SELECT group_concat(e.email, ' ') FROM lead_emails e WHERE e.lead_id = new.id)),
           new.phone || ' ' || replace(replace(replace(replace(replace(replace(new.phone, ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '/', ''),
           (SELECT name FROM accounts WHERE id = new.account_id), new.title, new.tags
    WHERE new.deleted_at IS NULL AND new.forgotten_at IS NULL;
END;
CREATE TRIGGER lead_emails_fts_insert AFTER INSERT ON lead_emails BEGIN
    UPDATE leads SET email = email WHERE id = new.lead_id;
END;
CREATE TRIGGER lead_emails_fts_delete AFTER DELETE ON lead_emails BEGIN
    UPDATE leads SET email = email WHERE id = old.lead_id;
END;
CREATE TRIGGER lead_emails_fts_update AFTER UPDATE ON lead_emails BEGIN
    UPDATE leads SET email = email WHERE id IN (old.lead_id, new.lead_id);
END;
UPDATE leads SET email = email WHERE id IN (SELECT lead_id FROM lead_emails);
