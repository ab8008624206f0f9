-- A lead's other e-mail addresses (a personal one, a previous job's): the person is found by any of them,
-- by an import, a calendar invitation or a command. One lead per address in a team, as for the address a
-- lead is written to. Imports used to keep them as "e-mail: ..." lines of the notes: those are read in.
CREATE TABLE lead_emails (
    team_id    TEXT NOT NULL,
    email_key  TEXT NOT NULL,
    lead_id    TEXT NOT NULL REFERENCES leads(id),
    email      TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (team_id, email_key)
) WITHOUT ROWID;
CREATE INDEX lead_emails_of_lead ON lead_emails(lead_id, created_at);
