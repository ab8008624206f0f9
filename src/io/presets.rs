//! Presets: the header layouts of the exports reps actually have (HubSpot, Pipedrive, Salesforce reports and
//! Data Loader, LinkedIn, Google Contacts, Outlook), detected from the header row and mapped to lead fields.

use std::fmt;
use std::str::FromStr;

use crate::domain::ValidationError;

/// What a column holds, in leadline's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// leadline's own lead id (round trip of an export).
    Id,
    FirstName,
    LastName,
    /// "Ana María López": split at the first space.
    FullName,
    Email,
    /// Further e-mail addresses: used to find duplicates, kept in notes when the lead has an e-mail already.
    OtherEmail,
    Phone,
    OtherPhone,
    Company,
    Title,
    Source,
    Industry,
    CompanySize,
    ProductInterest,
    Tags,
    Owner,
    /// The owner's e-mail (leadline's own export): names them even where the team calls them otherwise.
    OwnerEmail,
    Lifecycle,
    Notes,
    DoNotContact,
    /// "Do not call" (Salesforce): an opt-out too, as leadline has one for every channel.
    DoNotCall,
    /// A record the other CRM deleted (Salesforce's IsDeleted, in an "export all"): not imported.
    Deleted,
    DoNotContactReason,
    DoNotContactAt,
    /// Country of the person or company: makes national phone numbers E.164.
    Country,
    /// A profile URL (LinkedIn): becomes social outreach data.
    ProfileUrl,
    /// A personal web page: a profile URL when it is a LinkedIn address.
    Website,
    /// When the connection was made (LinkedIn): the date of the social touch.
    ConnectedOn,
    LastActivity,
    CreatedAt,
    UpdatedAt,
    LastContactedAt,
    /// The latest contact recorded without a touch (leadline's own export). A JSON file's leads take it as
    /// their last contact (their touches come with the outreach); a CSV's take `last_contacted_at`.
    ManualContactAt,
    /// A customer record's state, and when and why the customer churned (leadline's own export).
    CustomerStatus,
    ChurnedAt,
    ChurnReason,
    Score,
    DealTitle,
    DealAmount,
    DealCurrency,
    DealStage,
    /// Open, won or lost (Pipedrive's "Deal - Status"; a deleted deal is left out).
    DealStatus,
    /// When a deal closed; a won deal prefers its won time, a lost one its lost time (Pipedrive has all three).
    DealClosedAt,
    DealWonAt,
    DealLostAt,
    DealLostReason,
    /// Who owns the deal (Pipedrive's "Deal - Owner"): its person's owner too when no column names one.
    DealOwner,
    /// When the deal was made in the other CRM.
    DealCreatedAt,
    /// The deal's id in the other CRM (Pipedrive's "Deal - ID"): what tells its deals apart, and finds one
    /// again in that CRM's next export.
    DealId,
    Ignore,
}

impl Field {
    /// A field holding a one-line label of the lead or its deal (a name, a company, a title): limited in
    /// length, never binary.
    pub fn is_label(self) -> bool {
        matches!(
            self,
            Field::FirstName
                | Field::LastName
                | Field::FullName
                | Field::Company
                | Field::Title
                | Field::Industry
                | Field::CompanySize
                | Field::ProductInterest
                | Field::DealTitle
                | Field::DealId
        )
    }
}

impl Field {
    /// A field a row has one value of, whichever column gives it (e-mails and phones are many: a second
    /// column is another address).
    fn is_one_valued(self) -> bool {
        !matches!(
            self,
            Field::Ignore
                | Field::Email
                | Field::OtherEmail
                | Field::Phone
                | Field::OtherPhone
                | Field::Tags
                | Field::Notes
                | Field::Website
        )
    }

    /// A field holding a date or time.
    pub fn is_date(self) -> bool {
        matches!(
            self,
            Field::DoNotContactAt
                | Field::ConnectedOn
                | Field::LastActivity
                | Field::CreatedAt
                | Field::UpdatedAt
                | Field::LastContactedAt
                | Field::ManualContactAt
                | Field::ChurnedAt
                | Field::DealClosedAt
                | Field::DealWonAt
                | Field::DealLostAt
                | Field::DealCreatedAt
        )
    }

    pub const NAMES: &'static [(&'static str, Field)] = &[
        ("id", Field::Id),
        ("first_name", Field::FirstName),
        ("last_name", Field::LastName),
        ("full_name", Field::FullName),
        ("email", Field::Email),
        ("other_email", Field::OtherEmail),
        ("phone", Field::Phone),
        ("other_phone", Field::OtherPhone),
        ("company", Field::Company),
        ("title", Field::Title),
        ("source", Field::Source),
        ("industry", Field::Industry),
        ("company_size", Field::CompanySize),
        ("product_interest", Field::ProductInterest),
        ("tags", Field::Tags),
        ("owner", Field::Owner),
        ("owner_email", Field::OwnerEmail),
        ("lifecycle", Field::Lifecycle),
        ("notes", Field::Notes),
        ("do_not_contact", Field::DoNotContact),
        ("do_not_call", Field::DoNotCall),
        ("deleted", Field::Deleted),
        ("do_not_contact_reason", Field::DoNotContactReason),
        ("do_not_contact_at", Field::DoNotContactAt),
        ("country", Field::Country),
        ("profile_url", Field::ProfileUrl),
        ("website", Field::Website),
        ("connected_on", Field::ConnectedOn),
        ("last_activity", Field::LastActivity),
        ("created_at", Field::CreatedAt),
        ("updated_at", Field::UpdatedAt),
        ("last_contacted_at", Field::LastContactedAt),
        ("manual_contact_at", Field::ManualContactAt),
        ("customer_status", Field::CustomerStatus),
        ("churned_at", Field::ChurnedAt),
        ("churn_reason", Field::ChurnReason),
        ("score", Field::Score),
        ("deal_title", Field::DealTitle),
        ("deal_amount", Field::DealAmount),
        ("deal_currency", Field::DealCurrency),
        ("deal_stage", Field::DealStage),
        ("deal_status", Field::DealStatus),
        ("deal_closed_at", Field::DealClosedAt),
        ("deal_won_at", Field::DealWonAt),
        ("deal_lost_at", Field::DealLostAt),
        ("deal_lost_reason", Field::DealLostReason),
        ("deal_owner", Field::DealOwner),
        ("deal_created_at", Field::DealCreatedAt),
        ("deal_id", Field::DealId),
        ("ignore", Field::Ignore),
    ];

    pub fn as_str(self) -> &'static str {
        Self::NAMES.iter().find(|(_, f)| *f == self).map(|(n, _)| *n).unwrap_or("ignore")
    }
}

impl FromStr for Field {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_lowercase().replace(['-', ' '], "_");
        Self::NAMES.iter().find(|(n, _)| *n == t).map(|(_, f)| *f).ok_or_else(|| {
            let names: Vec<&str> = Self::NAMES.iter().map(|(n, _)| *n).collect();
            ValidationError::new("--map", s, format!("is not a field; use one of {}", names.join(", ")))
        })
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    Hubspot,
    Pipedrive,
    Salesforce,
    Linkedin,
    Google,
    Outlook,
    /// leadline's own CSV export.
    Leadline,
    Generic,
}

impl Preset {
    pub const ALL: [Preset; 8] = [
        Preset::Hubspot,
        Preset::Pipedrive,
        Preset::Salesforce,
        Preset::Linkedin,
        Preset::Google,
        Preset::Outlook,
        Preset::Leadline,
        Preset::Generic,
    ];

    pub const NAMES: [&'static str; Preset::ALL.len()] = crate::domain::words::words!(Preset);
    /// `--preset`'s words: `auto` detects the preset from the header row.
    pub const FLAG_WORDS: [&'static str; Preset::ALL.len() + 1] =
        crate::domain::words::with_first("auto", Preset::NAMES);

    pub const fn as_str(self) -> &'static str {
        match self {
            Preset::Hubspot => "hubspot",
            Preset::Pipedrive => "pipedrive",
            Preset::Salesforce => "salesforce",
            Preset::Linkedin => "linkedin",
            Preset::Google => "google",
            Preset::Outlook => "outlook",
            Preset::Leadline => "leadline",
            Preset::Generic => "generic",
        }
    }

    /// The source a lead gets when the file does not say: none for leadline's own export, where an empty
    /// source is the lead's own (a round trip gives it back empty).
    pub fn default_source(self) -> Option<&'static str> {
        match self {
            Preset::Linkedin => Some("linkedin"),
            Preset::Leadline => None,
            _ => Some("import"),
        }
    }

    /// US tools write dates month first (3/15/2025); everything else is read day first.
    pub fn month_first(self) -> bool {
        matches!(self, Preset::Hubspot | Preset::Salesforce | Preset::Google | Preset::Outlook)
    }

    fn table(self) -> &'static [(&'static str, Field)] {
        use Field::*;
        match self {
            Preset::Hubspot => &[
                ("record id", Ignore),
                ("first name", FirstName),
                ("last name", LastName),
                ("email", Email),
                ("phone number", Phone),
                ("mobile phone number", OtherPhone),
                ("company name", Company),
                ("associated company", Company),
                ("job title", Title),
                ("lifecycle stage", Lifecycle),
                ("lead status", Ignore),
                ("contact owner", Owner),
                ("create date", CreatedAt),
                ("last activity date", LastActivity),
                ("original source", Source),
                ("industry", Industry),
                ("number of employees", CompanySize),
                ("country/region", Country),
                ("unsubscribed from all email", DoNotContact),
                ("linkedin url", ProfileUrl),
                ("website url", Ignore),
                ("additional email addresses", OtherEmail),
            ],
            Preset::Pipedrive => &[
                ("person - name", FullName),
                ("person - first name", FirstName),
                ("person - last name", LastName),
                ("person - organization", Company),
                ("organization - name", Company),
                // Pipedrive's own field names, as a person export without the kind of address writes them.
                ("person - email", Email),
                ("person - phone", Phone),
                ("person - email - work", Email),
                ("person - email - home", OtherEmail),
                ("person - email - other", OtherEmail),
                ("person - phone - work", Phone),
                ("person - phone - mobile", OtherPhone),
                ("person - phone - home", OtherPhone),
                ("person - phone - other", OtherPhone),
                ("person - owner", Owner),
                ("person - label", Tags),
                ("person - labels", Tags),
                ("person - job title", Title),
                ("person - last activity date", LastActivity),
                ("person - person created", CreatedAt),
                ("person - postal address - country", Country),
                ("person - country of postal address", Country),
                ("person - linkedin profile", ProfileUrl),
                ("person - marketing status", DoNotContact),
                ("person - notes", Notes),
                ("deal - id", DealId),
                ("deal - title", DealTitle),
                ("deal - value", DealAmount),
                ("deal - currency", DealCurrency),
                ("deal - currency of value", DealCurrency),
                ("deal - owner", DealOwner),
                ("deal - deal created", DealCreatedAt),
                ("deal - add time", DealCreatedAt),
                ("deal - stage", DealStage),
                ("deal - status", DealStatus),
                ("deal - won time", DealWonAt),
                ("deal - lost time", DealLostAt),
                ("deal - deal closed on", DealClosedAt),
                ("deal - lost reason", DealLostReason),
                ("deal - contact person", FullName),
                ("deal - organization", Company),
            ],
            Preset::Salesforce => &[
                // Report labels.
                ("first name", FirstName),
                ("last name", LastName),
                ("title", Title),
                ("company / account", Company),
                ("company", Company),
                ("email", Email),
                ("phone", Phone),
                ("mobile", OtherPhone),
                ("lead source", Source),
                ("lead status", Ignore),
                ("lead owner", Owner),
                ("industry", Industry),
                ("no. of employees", CompanySize),
                ("email opt out", DoNotContact),
                ("create date", CreatedAt),
                ("last activity", LastActivity),
                ("country", Country),
                ("description", Notes),
                ("rating", Ignore),
                // Data Loader API names.
                ("id", Ignore),
                ("firstname", FirstName),
                ("lastname", LastName),
                ("mobilephone", OtherPhone),
                ("leadsource", Source),
                ("status", Ignore),
                ("numberofemployees", CompanySize),
                ("hasoptedoutofemail", DoNotContact),
                // One opt-out covers every channel: a person who asked not to be called is not contacted.
                ("donotcall", DoNotCall),
                ("do not call", DoNotCall),
                // Data Loader's "export all" includes the recycle bin.
                ("isdeleted", Deleted),
                // The record id of a Salesforce user, never the name of a member here.
                ("ownerid", Ignore),
                ("owner.name", Owner),
                ("createddate", CreatedAt),
                ("lastactivitydate", LastActivity),
                ("annualrevenue", Ignore),
                ("website", Website),
            ],
            Preset::Linkedin => &[
                ("first name", FirstName),
                ("last name", LastName),
                ("url", ProfileUrl),
                ("email address", Email),
                ("company", Company),
                ("position", Title),
                ("connected on", ConnectedOn),
            ],
            Preset::Google => &[
                ("first name", FirstName),
                ("middle name", Ignore),
                ("last name", LastName),
                ("nickname", Ignore),
                ("file as", Ignore),
                ("labels", Tags),
                ("e-mail 1 - label", Ignore),
                ("e-mail 1 - value", Email),
                ("e-mail 2 - value", OtherEmail),
                ("e-mail 3 - value", OtherEmail),
                ("phone 1 - label", Ignore),
                ("phone 1 - value", Phone),
                ("phone 2 - value", OtherPhone),
                ("phone 3 - value", OtherPhone),
                ("organization name", Company),
                ("organization title", Title),
                ("organization department", Ignore),
                ("notes", Notes),
                ("address 1 - country", Country),
                ("website 1 - value", Website),
                ("website 2 - value", Website),
                ("website 3 - value", Website),
                // The older Google CSV layout.
                ("name", FullName),
                ("given name", FirstName),
                ("family name", LastName),
                ("group membership", Tags),
                ("e-mail 1 - type", Ignore),
                ("phone 1 - type", Ignore),
                ("organization 1 - name", Company),
                ("organization 1 - title", Title),
            ],
            Preset::Outlook => &[
                ("first name", FirstName),
                ("middle name", Ignore),
                ("last name", LastName),
                // Outlook's "Title" is the honorific (Mr., Dr.); the job is "Job Title".
                ("title", Ignore),
                ("suffix", Ignore),
                ("job title", Title),
                ("company", Company),
                ("department", Ignore),
                ("e-mail address", Email),
                ("e-mail 2 address", OtherEmail),
                ("e-mail 3 address", OtherEmail),
                ("business phone", Phone),
                ("mobile phone", OtherPhone),
                ("home phone", OtherPhone),
                ("primary phone", OtherPhone),
                ("categories", Tags),
                ("notes", Notes),
                ("business country/region", Country),
                ("home country/region", Country),
                ("web page", Website),
                // German Outlook.
                ("vorname", FirstName),
                ("weitere vornamen", Ignore),
                ("nachname", LastName),
                ("anrede", Ignore),
                ("firma", Company),
                ("position", Title),
                ("e-mail-adresse", Email),
                ("e-mail 2: adresse", OtherEmail),
                ("e-mail 3: adresse", OtherEmail),
                ("telefon geschäftlich", Phone),
                ("mobiltelefon", OtherPhone),
                ("telefon (privat)", OtherPhone),
                ("telefon privat", OtherPhone),
                ("haupttelefon", OtherPhone),
                ("kategorien", Tags),
                ("notizen", Notes),
                ("land/region geschäftlich", Country),
                ("land/region privat", Country),
                ("webseite", Website),
                // French Outlook: the first "Titre" is the honorific, the second the job (see `map_columns`).
                ("prénom", FirstName),
                ("deuxième prénom", Ignore),
                ("nom", LastName),
                ("titre", Title),
                ("société", Company),
                ("adresse de messagerie", Email),
                ("adresse de messagerie 2", OtherEmail),
                ("adresse de messagerie 3", OtherEmail),
                ("téléphone (bureau)", Phone),
                ("tél. mobile", OtherPhone),
                ("téléphone (domicile)", OtherPhone),
                ("téléphone principal", OtherPhone),
                ("catégories", Tags),
                ("pays/région (bureau)", Country),
                ("pays/région (domicile)", Country),
                ("page web", Website),
            ],
            // leadline's own export: derived columns are not read back.
            Preset::Leadline => &[
                ("id", Id),
                ("stage", Ignore),
                ("owner_id", Ignore),
                ("account_id", Ignore),
                ("score", Score),
                ("manual_contact_at", ManualContactAt),
            ],
            Preset::Generic => &[],
        }
    }

    /// Whether this preset's files write the column as derived from other columns, which an import reads
    /// instead (leadline's own export: a lead's stage, its owner's id).
    pub fn derives(self, header: &str) -> bool {
        let n = norm_header(header);
        self == Preset::Leadline && self.table().iter().any(|(name, f)| *name == n && *f == Field::Ignore)
    }

    /// How well a header row fits this preset (0: not at all). Each preset needs its signature columns.
    fn score(self, headers: &[String]) -> usize {
        let has = |name: &str| headers.iter().any(|h| h == name);
        let signature = match self {
            Preset::Hubspot => has("record id") && (has("contact owner") || has("lifecycle stage")),
            Preset::Pipedrive => headers.iter().any(|h| h.starts_with("person - ") || h.starts_with("deal - ")),
            Preset::Salesforce => {
                (has("firstname") && has("lastname"))
                    || has("lead source")
                    || has("lead owner")
                    || has("company / account")
                    || has("hasoptedoutofemail")
            }
            // Older exports have no URL column.
            Preset::Linkedin => has("connected on") && (has("url") || has("position") || has("email address")),
            // A phone book exported without addresses has no e-mail columns at all.
            Preset::Google => {
                has("e-mail 1 - value")
                    || (has("phone 1 - value") && has("first name"))
                    || (has("given name") && has("group membership"))
            }
            Preset::Outlook => {
                (has("e-mail address") && (has("business phone") || has("mobile phone")))
                    || (has("e-mail-adresse") && has("vorname"))
                    || (has("adresse de messagerie") && has("prénom"))
            }
            Preset::Leadline => has("id") && has("first_name") && has("last_contacted_at"),
            Preset::Generic => false,
        };
        if !signature {
            return 0;
        }
        headers.iter().filter(|h| self.table().iter().any(|(n, _)| n == *h)).count() + 1
    }

    /// The preset whose columns the header row shows, or Generic.
    pub fn detect(headers: &[String]) -> Preset {
        let norm: Vec<String> = headers.iter().map(|h| norm_header(h)).collect();
        Preset::ALL
            .into_iter()
            .max_by_key(|p| (p.score(&norm), 0))
            .filter(|p| p.score(&norm) > 0)
            .unwrap_or(Preset::Generic)
    }

    /// Maps each column to a field: the preset's table, then loose matching, then the rep's `--map` overrides.
    pub fn map_columns(self, headers: &[String], overrides: &[(String, Field)]) -> Result<Vec<Field>, ValidationError> {
        // Each override names the columns written as it is (every one, when the file repeats a name), else
        // in any case if only one column is written so; a column given two fields is a mistake to say, not
        // a choice to make silently.
        let mut overridden: std::collections::HashMap<usize, Field> = std::collections::HashMap::new();
        for (col, field) in overrides {
            let exact: Vec<usize> = (0..headers.len()).filter(|&i| headers[i].trim() == col.trim()).collect();
            let wanted = col.trim().to_lowercase();
            let any_case: Vec<usize> =
                (0..headers.len()).filter(|&i| headers[i].trim().to_lowercase() == wanted).collect();
            let columns = match (exact.as_slice(), any_case.as_slice()) {
                ([_, ..], _) => exact.clone(),
                ([], [i]) => vec![*i],
                ([], []) => {
                    return Err(ValidationError::new(
                        "--map",
                        "",
                        format!(
                            "'{}' is not a column of this file; its columns are: {}",
                            crate::domain::error::one_printable_line(col),
                            headers.join(", ")
                        ),
                    ));
                }
                ([], several) => {
                    let names: Vec<&str> = several.iter().map(|&i| headers[i].as_str()).collect();
                    return Err(ValidationError::new(
                        "--map",
                        col,
                        format!("names {} columns ({}); write it as the file does", names.len(), names.join(", ")),
                    ));
                }
            };
            for at in columns {
                match overridden.insert(at, *field) {
                    Some(earlier) if earlier != *field => {
                        return Err(ValidationError::new(
                            "--map",
                            col,
                            format!("is mapped twice ({earlier} and {field}); one field per column"),
                        ));
                    }
                    _ => {}
                }
            }
        }
        let mut seen_primary = std::collections::HashSet::new();
        let mut fields: Vec<Field> = headers
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let n = norm_header(h);
                let field = overridden
                    .get(&i)
                    .copied()
                    .or_else(|| self.table().iter().find(|(name, _)| *name == n).map(|(_, f)| *f))
                    .or_else(|| loose(&n))
                    .unwrap_or(Field::Ignore);
                // A second column claiming a single-valued field becomes an extra value, not a conflict.
                match field {
                    Field::Email if !seen_primary.insert(Field::Email) => Field::OtherEmail,
                    Field::Phone if !seen_primary.insert(Field::Phone) => Field::OtherPhone,
                    f => f,
                }
            })
            .collect();
        // French Outlook calls the honorific and the job both "Titre": the job is the later one.
        let titres: Vec<usize> = (0..headers.len()).filter(|&i| norm_header(&headers[i]) == "titre").collect();
        if self == Preset::Outlook && titres.len() > 1 && fields[titres[0]] == Field::Title {
            fields[titres[0]] = Field::Ignore;
        }
        // Data Loader writes the owner's record id (OwnerId) beside their name (Owner.Name): the name is
        // the member here.
        let named =
            |name: &str| -> Vec<usize> { (0..headers.len()).filter(|&i| norm_header(&headers[i]) == name).collect() };
        if named("owner.name").into_iter().any(|i| fields[i] == Field::Owner) {
            for i in named("ownerid").into_iter().filter(|i| !overridden.contains_key(i)) {
                fields[i] = Field::Ignore;
            }
        }
        // "Vorname; Name" (as German files write it): a bare "Name" beside a first name is the family name.
        let has = |f: Field| fields.contains(&f);
        if self == Preset::Generic && has(Field::FirstName) && !has(Field::LastName) {
            let bare = ["name", "naam", "namn", "navn", "nimi"].into_iter().flat_map(named);
            for i in bare.filter(|i| !overridden.contains_key(i)).collect::<Vec<_>>() {
                if fields[i] == Field::FullName {
                    fields[i] = Field::LastName;
                }
            }
        }
        // A one-valued field the rep mapped a column to is that column's: another column read as the same
        // field by the preset or by its name is left out (and listed as such), as the first filled would win.
        for (&at, &field) in &overridden {
            if field.is_one_valued() {
                for (i, f) in fields.iter_mut().enumerate() {
                    if i != at && *f == field && !overridden.contains_key(&i) {
                        *f = Field::Ignore;
                    }
                }
            }
        }
        Ok(fields)
    }
}

impl FromStr for Preset {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_lowercase();
        Preset::ALL
            .into_iter()
            .find(|p| p.as_str() == t)
            .ok_or_else(|| ValidationError::new("--preset", s, crate::domain::words::must_be(&Self::FLAG_WORDS)))
    }
}

impl fmt::Display for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Header as compared: trimmed, lower-case, BOM and surrounding quotes removed.
pub fn norm_header(h: &str) -> String {
    h.trim_start_matches('\u{feff}').trim().trim_matches('"').trim().to_lowercase()
}

/// Loose matching for any other CSV: common English and Spanish column names, and leadline's own.
fn loose(header: &str) -> Option<Field> {
    use Field::*;
    let key: String = super::text::fold(header).chars().filter(|c| c.is_alphanumeric()).collect();
    Some(match key.as_str() {
        // A bare "ID" or "Lead ID" is the other system's key, not ours: left out rather than read as a leadline id.
        "leadlineid" => Id,
        "firstname" | "first" | "givenname" | "forename" | "nombre" | "nombres" | "vorname" | "prenom" | "nome"
        | "voornaam" | "imie" | "fornavn" | "fornamn" | "etunimi" => FirstName,
        "lastname" | "last" | "surname" | "familyname" | "apellido" | "apellidos" | "nachname" | "familienname"
        | "nom" | "cognome" | "sobrenome" | "apelido" | "achternaam" | "nazwisko" | "efternavn" | "etternavn"
        | "efternamn" | "sukunimi" | "nomdefamille" => LastName,
        "name" | "fullname" | "contact" | "contactname" | "person" | "nombrecompleto" | "contacto" | "displayname"
        | "nomcomplet" | "vollstandigername" | "ansprechpartner" | "volledigenaam" | "nomecompleto"
        | "imieinazwisko" | "namn" | "navn" | "nimi" | "naam" => FullName,
        "email" | "emailaddress" | "mail" | "correo" | "correoelectronico" | "emailwork" | "workemail"
        | "emailadresse" | "courriel" | "adresseemail" | "adressemail" | "postaelettronica" | "emailadres"
        | "epost" | "sahkoposti" | "indirizzoemail" | "adresemail" | "epostadress" => Email,
        "email2" | "otheremail" | "otheremails" | "secondaryemail" | "personalemail" => OtherEmail,
        "phone" | "phonenumber" | "telephone" | "tel" | "telefono" | "mobile" | "mobilephone" | "movil" | "celular"
        | "cell" | "telefon" | "telefonnummer" | "handy" | "mobil" | "portable" | "cellulare" | "telefone"
        | "telefoonnummer" | "mobiel" | "numertelefonu" | "puhelin" | "matkapuhelin" | "mobiltelefon"
        | "telephoneportable" | "numerodetelephone" | "numeroditelefono" | "telefonkomorkowy" | "telefonomovil"
        | "puhelinnumero" => Phone,
        "phone2" | "otherphone" | "secondaryphone" => OtherPhone,
        "company" | "companyname" | "organization" | "organisation" | "account" | "accountname" | "empresa"
        | "compania" | "organizacion" | "firma" | "unternehmen" | "societe" | "entreprise" | "azienda" | "societa"
        | "bedrijf" | "virksomhed" | "foretag" | "bedrift" | "yritys" | "firmenname" | "bedrijfsnaam"
        | "organisatie" | "organizzazione" | "nazwafirmy" | "selskab" => Company,
        "title" | "jobtitle" | "position" | "role" | "cargo" | "puesto" | "funktion" | "poste" | "fonction"
        | "ruolo" | "functie" | "stanowisko" | "stilling" | "befattning" | "berufsbezeichnung" | "titreduposte"
        | "functietitel" | "titteli" => Title,
        "source" | "leadsource" | "origen" | "fuente" => Source,
        "industry" | "sector" | "industria" => Industry,
        "companysize" | "employees" | "size" | "numberofemployees" | "tamano" | "empleados" => CompanySize,
        "productinterest" | "product" | "interest" | "producto" | "interes" => ProductInterest,
        "tags" | "tag" | "labels" | "label" | "etiquetas" | "categories" => Tags,
        "owner" | "ownerid" | "ownername" | "assignedto" | "responsable" | "propietario" => Owner,
        "owneremail" | "contactowneremail" | "leadowneremail" => OwnerEmail,
        "lifecycle" | "lifecyclestage" => Lifecycle,
        "notes" | "note" | "comments" | "comment" | "description" | "notas" | "comentarios" | "notizen"
        | "bemerkungen" | "remarques" | "opmerkingen" | "uwagi" | "noter" | "anteckningar" | "notater"
        | "bemerkung" | "kommentar" | "commentaire" | "commentaires" | "observaciones" | "notities" | "opmerking"
        | "muistiinpanot" => Notes,
        "donotcontact" | "optout" | "optedout" | "unsubscribed" | "emailoptout" | "nocontactar" => DoNotContact,
        "donotcontactreason" | "optoutreason" => DoNotContactReason,
        "donotcontactat" | "optedoutat" => DoNotContactAt,
        "country" | "countryregion" | "pais" | "land" | "pays" | "paese" | "kraj" | "maa" => Country,
        "linkedin" | "linkedinurl" | "profileurl" | "profile" | "url" | "perfil" | "linkedinprofil"
        | "profillinkedin" => ProfileUrl,
        "website" | "web" | "webpage" | "webseite" | "siteweb" | "sitoweb" | "paginaweb" | "homepage" | "webpagina" => {
            Website
        }
        "connectedon" => ConnectedOn,
        "lastactivity" | "lastactivitydate" | "ultimaactividad" | "ultimocontacto" => LastActivity,
        "createdat" | "created" | "createdate" | "createddate" | "fechaalta" | "fechacreacion" => CreatedAt,
        "updatedat" => UpdatedAt,
        "lastcontactedat" | "lastcontacted" | "lastcontact" => LastContactedAt,
        "customerstatus" => CustomerStatus,
        "churnedat" | "churndate" => ChurnedAt,
        "churnreason" => ChurnReason,
        "score" | "leadscore" | "puntuacion" => Score,
        "deal" | "dealtitle" | "dealname" | "opportunity" | "oportunidad" | "negocio" => DealTitle,
        "amount" | "dealamount" | "value" | "dealvalue" | "importe" | "monto" | "valor" => DealAmount,
        "currency" | "dealcurrency" | "moneda" | "divisa" => DealCurrency,
        "stage" | "dealstage" | "etapa" | "fase" => DealStage,
        "dealstatus" | "estadonegocio" => DealStatus,
        "dealclosedat" | "dealclosedon" | "closedate" | "closedat" | "fechacierre" => DealClosedAt,
        "dealwonat" | "wontime" | "wonat" => DealWonAt,
        "deallostat" | "losttime" | "lostat" => DealLostAt,
        "deallostreason" | "lostreason" | "motivoperdida" => DealLostReason,
        "dealid" => DealId,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(cols: &[&str]) -> Vec<String> {
        cols.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn detects_each_layout() {
        let li = h(&["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"]);
        assert_eq!(Preset::detect(&li), Preset::Linkedin);
        let pd = h(&["Person - Name", "Person - Email - Work", "Person - Organization"]);
        assert_eq!(Preset::detect(&pd), Preset::Pipedrive);
        let plain = h(&["Person - Name", "Person - Email", "Person - Phone", "Organization - Name"]);
        let fields = Preset::Pipedrive.map_columns(&plain, &[]).unwrap();
        assert_eq!(fields, [Field::FullName, Field::Email, Field::Phone, Field::Company]);
        let dl = h(&["Id", "FirstName", "LastName", "Company", "Email", "LeadSource", "HasOptedOutOfEmail"]);
        assert_eq!(Preset::detect(&dl), Preset::Salesforce);
        let hs = h(&["Record ID", "First Name", "Last Name", "Email", "Contact owner", "Lifecycle Stage"]);
        assert_eq!(Preset::detect(&hs), Preset::Hubspot);
        let ol = h(&["First Name", "Last Name", "Title", "Job Title", "E-mail Address", "Business Phone"]);
        assert_eq!(Preset::detect(&ol), Preset::Outlook);
        let map = Preset::Outlook.map_columns(&ol, &[]).unwrap();
        assert_eq!(map[2], Field::Ignore);
        assert_eq!(map[3], Field::Title);
        assert_eq!(Preset::detect(&h(&["nombre", "correo"])), Preset::Generic);
        assert_eq!(
            Preset::Generic.map_columns(&h(&["Nombre", "Correo", "Teléfono"]), &[]).unwrap(),
            vec![Field::FirstName, Field::Email, Field::Phone]
        );
    }

    #[test]
    fn german_french_and_italian_headers_are_known_loosely() {
        let fields = |cols: &[&str]| Preset::Generic.map_columns(&h(cols), &[]).unwrap();
        use Field::*;
        assert_eq!(
            fields(&["Vorname", "Name", "Firma", "Telefon", "E-Mail-Adresse", "Notizen"]),
            [FirstName, LastName, Company, Phone, Email, Notes]
        );
        assert_eq!(
            fields(&["Prénom", "Nom", "Société", "Courriel", "Pays"]),
            [FirstName, LastName, Company, Email, Country]
        );
        assert_eq!(fields(&["Nome", "Cognome", "Azienda", "Cellulare"]), [FirstName, LastName, Company, Phone]);
        assert_eq!(
            fields(&["Voornaam", "Achternaam", "Bedrijf", "E-mailadres", "Telefoonnummer", "Functie", "Opmerkingen"]),
            [FirstName, LastName, Company, Email, Phone, Title, Notes]
        );
        assert_eq!(
            fields(&["Imię", "Nazwisko", "Firma", "Stanowisko", "Kraj", "Uwagi"]),
            [FirstName, LastName, Company, Title, Country, Notes]
        );
        assert_eq!(
            fields(&["Förnamn", "Efternamn", "Företag", "E-post", "Befattning"]),
            [FirstName, LastName, Company, Email, Title]
        );
        // A German "Titel" is the academic one ("Dr."), not the job.
        assert_eq!(fields(&["Anrede", "Titel", "Vorname", "Nachname"]), [Ignore, Ignore, FirstName, LastName]);
        assert_eq!(
            fields(&["Fornavn", "Efternavn", "Virksomhed", "Stilling", "Noter"]),
            [FirstName, LastName, Company, Title, Notes]
        );
        // "Name" alone is the whole name.
        assert_eq!(fields(&["Name", "Email"]), [FullName, Email]);
    }

    #[test]
    fn a_column_the_rep_maps_is_the_fields_alone() {
        let cols = h(&["Email", "Owner", "Assigned to rep"]);
        let fields = Preset::Generic.map_columns(&cols, &[("Assigned to rep".into(), Field::Owner)]).unwrap();
        assert_eq!(fields, [Field::Email, Field::Ignore, Field::Owner]);
        // Mapped to a field many columns give, the others stay.
        let fields = Preset::Generic.map_columns(&h(&["Email", "Correo"]), &[("Correo".into(), Field::OtherEmail)]);
        assert_eq!(fields.unwrap(), [Field::Email, Field::OtherEmail]);
    }

    #[test]
    fn overrides_win_and_must_name_a_column() {
        let cols = h(&["Mail", "X"]);
        let map = Preset::Generic.map_columns(&cols, &[("x".into(), Field::Company)]).unwrap();
        assert_eq!(map, vec![Field::Email, Field::Company]);
        assert!(Preset::Generic.map_columns(&cols, &[("nope".into(), Field::Company)]).is_err());
        assert!("emial".parse::<Field>().is_err());
        // A column written twice in two cases is named as the file writes it; in neither, it is said.
        let cols = h(&["Name", "Email", "email"]);
        let map = Preset::Generic
            .map_columns(&cols, &[("Email".into(), Field::Ignore), ("email".into(), Field::Email)])
            .unwrap();
        assert_eq!(map, vec![Field::FullName, Field::Ignore, Field::Email]);
        let e = Preset::Generic.map_columns(&cols, &[("EMAIL".into(), Field::Email)]).unwrap_err();
        assert!(e.to_string().contains("names 2 columns (Email, email)"), "{e}");
        // One column, two fields: refused.
        let cols = h(&["Nombre", "Correo"]);
        let e = Preset::Generic
            .map_columns(&cols, &[("Correo".into(), Field::Email), ("correo".into(), Field::Phone)])
            .unwrap_err();
        assert!(e.to_string().contains("is mapped twice (email and phone)"), "{e}");
        // A name the file repeats: the override reaches every column of it.
        let cols = h(&["Name", "Phone", "Phone"]);
        let map = Preset::Generic.map_columns(&cols, &[("Phone".into(), Field::Ignore)]).unwrap();
        assert_eq!(map, vec![Field::FullName, Field::Ignore, Field::Ignore]);
    }
}
