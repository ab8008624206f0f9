-- Letters that are no accented form of another (ø, ł, ß, æ, …) are kept as they are by the search index's
-- tokenizer, so "soren" did not find "Søren": a name or company with one is indexed as written and once more
-- spelt with plain letters ("Søren Søndergaard Soren Sondergaard"). The leads that have one are indexed again.
DROP TRIGGER IF EXISTS leads_fts_insert;
DROP TRIGGER IF EXISTS leads_fts_update;
CREATE TRIGGER leads_fts_insert AFTER INSERT ON leads WHEN new.deleted_at IS NULL AND new.forgotten_at IS NULL BEGIN
    INSERT INTO lead_fts(rowid, name, email, phone, company, title, tags)
    VALUES (new.seq,
            CASE WHEN (new.first_name || ' ' || new.last_name) GLOB '*[øØłŁđĐðÐßẞæÆœŒþÞħĦıŧŦ]*' THEN (new.first_name || ' ' || new.last_name) || ' ' || replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace((new.first_name || ' ' || new.last_name), 'ø', 'o'), 'Ø', 'O'), 'ł', 'l'), 'Ł', 'L'), 'đ', 'd'), 'Đ', 'D'), 'ð', 'd'), 'Ð', 'D'), 'ß', 'ss'), 'ẞ', 'SS'), 'æ', 'ae'), 'Æ', 'AE'), 'œ', 'oe'), 'Œ', 'OE'), 'þ', 'th'), 'Þ', 'TH'), 'ħ', 'h'), 'Ħ', 'H'), 'ı', 'i'), 'ŧ', 't'), 'Ŧ', 'T') ELSE (new.first_name || ' ' || new.last_name) END,
            coalesce(new.email || ifnull(' ' || (SELECT group_concat(e.email, ' ') FROM lead_emails e WHERE e.lead_id = new.id), ''), (SELECT group_concat(e.email, ' ') FROM lead_emails e WHERE e.lead_id = new.id)),
            new.phone || ' ' || replace(replace(replace(replace(replace(replace(new.phone, ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '/', ''),
            (SELECT CASE WHEN name GLOB '*[øØłŁđĐðÐßẞæÆœŒþÞħĦıŧŦ]*' THEN name || ' ' || replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(name, 'ø', 'o'), 'Ø', 'O'), 'ł', 'l'), 'Ł', 'L'), 'đ', 'd'), 'Đ', 'D'), 'ð', 'd'), 'Ð', 'D'), 'ß', 'ss'), 'ẞ', 'SS'), 'æ', 'ae'), 'Æ', 'AE'), 'œ', 'oe'), 'Œ', 'OE'), 'þ', 'th'), 'Þ', 'TH'), 'ħ', 'h'), 'Ħ', 'H'), 'ı', 'i'), 'ŧ', 't'), 'Ŧ', 'T') ELSE name END FROM accounts WHERE id = new.account_id),
            new.title, new.tags);
END;
CREATE TRIGGER leads_fts_update AFTER UPDATE OF first_name, last_name, email, phone, account_id, title, tags, deleted_at
ON leads BEGIN
    DELETE FROM lead_fts WHERE rowid = old.seq;
    INSERT INTO lead_fts(rowid, name, email, phone, company, title, tags)
    SELECT new.seq,
           CASE WHEN (new.first_name || ' ' || new.last_name) GLOB '*[øØłŁđĐðÐßẞæÆœŒþÞħĦıŧŦ]*' THEN (new.first_name || ' ' || new.last_name) || ' ' || replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace((new.first_name || ' ' || new.last_name), 'ø', 'o'), 'Ø', 'O'), 'ł', 'l'), 'Ł', 'L'), 'đ', 'd'), 'Đ', 'D'), 'ð', 'd'), 'Ð', 'D'), 'ß', 'ss'), 'ẞ', 'SS'), 'æ', 'ae'), 'Æ', 'AE'), 'œ', 'oe'), 'Œ', 'OE'), 'þ', 'th'), 'Þ', 'TH'), 'ħ', 'h'), 'Ħ', 'H'), 'ı', 'i'), 'ŧ', 't'), 'Ŧ', 'T') ELSE (new.first_name || ' ' || new.last_name) END,
           coalesce(new.email || ifnull(' ' || (SELECT group_concat(e.email, ' ') FROM lead_emails e WHERE e.lead_id = new.id), ''), (SELECT group_concat(e.email, ' ') FROM lead_emails e WHERE e.lead_id = new.id)),
           new.phone || ' ' || replace(replace(replace(replace(replace(replace(new.phone, ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '/', ''),
           (SELECT CASE WHEN name GLOB '*[øØłŁđĐðÐßẞæÆœŒþÞħĦıŧŦ]*' THEN name || ' ' || replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(name, 'ø', 'o'), 'Ø', 'O'), 'ł', 'l'), 'Ł', 'L'), 'đ', 'd'), 'Đ', 'D'), 'ð', 'd'), 'Ð', 'D'), 'ß', 'ss'), 'ẞ', 'SS'), 'æ', 'ae'), 'Æ', 'AE'), 'œ', 'oe'), 'Œ', 'OE'), 'þ', 'th'), 'Þ', 'TH'), 'ħ', 'h'), 'Ħ', 'H'), 'ı', 'i'), 'ŧ', 't'), 'Ŧ', 'T') ELSE name END FROM accounts WHERE id = new.account_id),
           new.title, new.tags
    WHERE new.deleted_at IS NULL AND new.forgotten_at IS NULL;
END;
UPDATE leads SET first_name = first_name
WHERE deleted_at IS NULL AND forgotten_at IS NULL
  AND (first_name || ' ' || last_name || ' ' || ifnull((SELECT name FROM accounts a WHERE a.id = account_id), ''))
      GLOB '*[øØłŁđĐðÐßẞæÆœŒþÞħĦıŧŦ]*';
