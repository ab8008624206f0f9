-- A phone is indexed for search as written and as one run of digits, so a number pasted from a dialer
-- ("+34682074071", "682074071") finds the lead stored as "+34 682 074 071". The insert and update triggers
-- are made again with the digits; every lead is indexed again once.
DROP TRIGGER IF EXISTS leads_fts_insert;
DROP TRIGGER IF EXISTS leads_fts_update;
CREATE TRIGGER leads_fts_insert AFTER INSERT ON leads WHEN new.deleted_at IS NULL BEGIN
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
    WHERE new.deleted_at IS NULL;
END;
INSERT INTO lead_fts(lead_fts) VALUES ('delete-all');
INSERT INTO lead_fts(rowid, name, email, phone, company, title, tags)
SELECT l.seq, l.first_name || ' ' || l.last_name, l.email,
       l.phone || ' ' || replace(replace(replace(replace(replace(replace(l.phone, ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '/', ''),
       a.name, l.title, l.tags
FROM leads l LEFT JOIN accounts a ON a.id = l.account_id
WHERE l.deleted_at IS NULL;
