-- Keeps lead_fts in step with leads (rowid = leads.seq). Bulk loads lift these triggers (every
-- trigger whose name mentions fts) and fill the index in one pass.
CREATE TRIGGER leads_fts_insert AFTER INSERT ON leads WHEN new.deleted_at IS NULL BEGIN
    INSERT INTO lead_fts(rowid, name, email, phone, company, title, tags)
    VALUES (new.seq, new.first_name || ' ' || new.last_name, new.email, new.phone,
            (SELECT name FROM accounts WHERE id = new.account_id), new.title, new.tags);
END;
CREATE TRIGGER leads_fts_update AFTER UPDATE OF first_name, last_name, email, phone, account_id, title, tags, deleted_at
ON leads BEGIN
    DELETE FROM lead_fts WHERE rowid = old.seq;
    INSERT INTO lead_fts(rowid, name, email, phone, company, title, tags)
    SELECT new.seq, new.first_name || ' ' || new.last_name, new.email, new.phone,
           (SELECT name FROM accounts WHERE id = new.account_id), new.title, new.tags
    WHERE new.deleted_at IS NULL;
END;
CREATE TRIGGER leads_fts_delete AFTER DELETE ON leads BEGIN
    DELETE FROM lead_fts WHERE rowid = old.seq;
END;
CREATE TRIGGER accounts_fts_rename AFTER UPDATE OF name ON accounts BEGIN
    UPDATE leads SET account_id = account_id WHERE account_id = new.id;
END;
