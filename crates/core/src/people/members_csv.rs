//! Files of members in and out (docs/decisions/0021-members-data.md). A shop moving to Tessera
//! brings its customers in a spreadsheet: Excel in France or Italy writes CSV with semicolons
//! in Windows-1252; elsewhere, UTF-8 with commas, often with a byte-order mark. The file is
//! read by the `csv` crate once its encoding (`encoding_rs`) and its delimiter are known.
//!
//! An import is all or nothing: every row is checked as enrolment checks it, and likely
//! duplicates (the same email, or the same phone number, already a member or twice in the
//! file) are flagged; unless the file has no problem (duplicates allowed, if asked), nothing is
//! written. A dry run is the preview: the same report, nothing written.

use std::collections::HashMap;

use chrono::Utc;
use serde::Serialize;
#[cfg(feature = "ts")]
use ts_rs::TS;

use crate::audit::{self, AuditKind};
use crate::counter::enrol::{self, ValidMember};
use crate::error::{CoreError, ErrorBody, Result};
use crate::people::auth::Permission;
use crate::people::member_data::{self, Channel, ChannelConsent, ConsentSource};
use crate::people::members::NewMember;
use crate::people::shop::Actor;
use crate::store::Store;

/// One problem of one row: the line of the file (the header is line 1), the column, and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct RowProblem {
    pub line: u64,
    pub field: String,
    pub error: ErrorBody,
}

/// A row that is likely someone already known: a member here (`member`: their code), or an
/// earlier row of the file (`other_line`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct RowDuplicate {
    pub line: u64,
    /// `email` or `phone`
    pub field: String,
    pub member: Option<String>,
    pub other_line: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct ImportReport {
    /// Rows of members read (the header aside).
    pub rows: i64,
    /// Members written: every row, or none.
    pub added: i64,
    pub written: bool,
    /// How the file was read: `UTF-8`, or `windows-1252`.
    pub encoding: String,
    pub delimiter: String,
    pub problems: Vec<RowProblem>,
    pub duplicates: Vec<RowDuplicate>,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct ImportOptions {
    /// Check and report only.
    pub dry_run: bool,
    /// Likely duplicates are imported too (they are someone else with the same phone...).
    pub allow_duplicates: bool,
}

/// The columns an import knows, by the names spreadsheets give them in the shop languages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Column {
    Name,
    Email,
    Phone,
    Language,
    EmailConsent,
    SmsConsent,
}

impl Column {
    fn from_header(header: &str) -> Option<Column> {
        let folded: String = crate::input::validate::normalised(header)
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect();
        Some(match folded.as_str() {
            "name" | "nom" | "nome" | "nume" | "nev" | "név" | "fullname" | "nomeecognome" => {
                Column::Name
            }
            "email" | "mail" | "courriel" | "emailaddress" | "adresseemail" | "emailcim" => {
                Column::Email
            }
            "phone" | "telephone" | "téléphone" | "telefono" | "telefon" | "mobile"
            | "portable" | "cellulare" | "mobil" | "telefonszám" | "telefonszam" => Column::Phone,
            "language" | "langue" | "lingua" | "limba" | "nyelv" => Column::Language,
            "emailconsent" => Column::EmailConsent,
            "smsconsent" => Column::SmsConsent,
            _ => return None,
        })
    }

    fn field(self) -> &'static str {
        match self {
            Column::Name => "name",
            Column::Email => "email",
            Column::Phone => "phone",
            Column::Language => "language",
            Column::EmailConsent => "email_consent",
            Column::SmsConsent => "sms_consent",
        }
    }
}

/// A consent cell: yes or no in any of the five languages; empty is "not asked".
fn consent_cell(cell: &str) -> std::result::Result<Option<bool>, ()> {
    match cell.trim().to_lowercase().as_str() {
        "" => Ok(None),
        "yes" | "y" | "oui" | "si" | "sì" | "da" | "igen" | "1" | "true" | "x" => Ok(Some(true)),
        "no" | "n" | "non" | "nu" | "nem" | "0" | "false" => Ok(Some(false)),
        _ => Err(()),
    }
}

/// The file's text and how it was written: UTF-8 (a byte-order mark dropped), or else
/// Windows-1252, which is what Excel writes for "CSV" in Western Europe.
fn decode(bytes: &[u8]) -> (String, &'static str) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_string(), "UTF-8"),
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            (text.into_owned(), "windows-1252")
        }
    }
}

/// The delimiter the header line uses most: `;`, `,` or a tab.
fn delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or_default();
    [b';', b',', b'\t']
        .into_iter()
        .max_by_key(|d| header.bytes().filter(|b| b == d).count())
        .unwrap_or(b',')
}

/// The line of the file (from 1) a record is on, from its byte position. Counted here: the
/// csv reader's own line count lags by one after a CRLF line end, which is how Excel ends
/// lines. Records come in file order, so each count goes on from the one before (a file of
/// 50,000 rows is read once, not once per row).
struct Lines<'a> {
    text: &'a [u8],
    at: usize,
    line: u64,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Lines<'a> {
        Lines {
            text: text.as_bytes(),
            at: 0,
            line: 1,
        }
    }

    fn of(&mut self, byte: u64) -> u64 {
        let mut start = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        // A record's position may fall on the line end before it.
        while start < self.text.len() && matches!(self.text[start], b'\r' | b'\n') {
            start += 1;
        }
        if start >= self.at {
            self.line += self.text[self.at..start]
                .iter()
                .filter(|b| **b == b'\n')
                .count() as u64;
            self.at = start;
        }
        self.line
    }
}

/// One row read and checked.
struct Row {
    line: u64,
    member: ValidMember,
    email_consent: Option<bool>,
    sms_consent: Option<bool>,
}

/// A file of members read and checked, nothing looked up: the report's problems, and the rows
/// that passed (duplicates are flagged against the store afterwards).
pub struct ReadFile {
    pub report: ImportReport,
    rows: Vec<Row>,
}

impl ReadFile {
    /// How many rows passed every check.
    pub fn rows_ok(&self) -> usize {
        self.rows.len()
    }
}

/// Reads a file of members as an import does, without a store: `shop_language` is the language
/// a row without one gets. Never panics on any bytes (`make fuzz` tries).
pub fn read_file(bytes: &[u8], shop_language: &str) -> Result<ReadFile> {
    let (text, encoding) = decode(bytes);
    let delimiter = delimiter(&text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|_| CoreError::CsvNoNameColumn)?
        .clone();
    let columns: Vec<Option<Column>> = headers.iter().map(Column::from_header).collect();
    if !columns.contains(&Some(Column::Name)) {
        return Err(CoreError::CsvNoNameColumn);
    }
    let mut report = ImportReport {
        rows: 0,
        added: 0,
        written: false,
        encoding: encoding.into(),
        delimiter: (delimiter as char).to_string(),
        problems: Vec::new(),
        duplicates: Vec::new(),
    };
    let mut rows = Vec::new();
    let mut lines = Lines::new(&text);
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.of(p.byte()));
                report.problems.push(RowProblem {
                    line,
                    field: String::new(),
                    error: CoreError::InvalidCharacters { field: "row" }.body(),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| lines.of(p.byte()));
        // A row of empty cells (Excel leaves some at the end) is no member.
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        report.rows += 1;
        let mut cells: HashMap<Column, &str> = HashMap::new();
        for (column, cell) in columns.iter().zip(record.iter()) {
            if let Some(column) = column {
                cells.insert(*column, cell);
            }
        }
        let cell = |c: Column| cells.get(&c).copied().filter(|v| !v.trim().is_empty());
        let new = NewMember {
            name: cell(Column::Name).unwrap_or_default().to_string(),
            email: cell(Column::Email).map(str::to_string),
            phone: cell(Column::Phone).map(str::to_string),
            language: cell(Column::Language).map(|l| l.trim().to_lowercase()),
        };
        let mut problem = |field: &str, error: &CoreError| {
            report.problems.push(RowProblem {
                line,
                field: field.into(),
                error: error.body(),
            });
        };
        // Enrolment's checks, each field on its own (a row with two mistakes names both).
        let member = ValidMember::check_each(&new, shop_language);
        let mut row_ok = true;
        if let Err(problems) = &member {
            for (field, error) in problems {
                problem(field, error);
            }
            row_ok = false;
        }
        let mut consent =
            |column: Column| match consent_cell(cells.get(&column).copied().unwrap_or("")) {
                Ok(answer) => answer,
                Err(()) => {
                    problem(
                        column.field(),
                        &CoreError::InvalidCharacters {
                            field: column.field(),
                        },
                    );
                    row_ok = false;
                    None
                }
            };
        let email_consent = consent(Column::EmailConsent);
        let sms_consent = consent(Column::SmsConsent);
        if let (true, Ok(member)) = (row_ok, member) {
            rows.push(Row {
                line,
                member,
                email_consent,
                sms_consent,
            });
        }
    }
    Ok(ReadFile { report, rows })
}

impl Store {
    /// Managers only: reads a file of members, reports every problem, and writes them all
    /// (unless a dry run) only when there is none. Nothing written is in the report.
    pub async fn import_members(
        &self,
        actor: &Actor,
        bytes: &[u8],
        options: ImportOptions,
    ) -> Result<ImportReport> {
        actor.require(Permission::MembersData)?;
        let shop = self.require_shop().await?;
        let ReadFile { mut report, rows } = read_file(bytes, &shop.language)?;
        self.flag_duplicates(&rows, &mut report.duplicates).await?;
        let refused = !report.problems.is_empty()
            || (!report.duplicates.is_empty() && !options.allow_duplicates);
        if options.dry_run || refused || rows.is_empty() {
            return Ok(report);
        }

        let now = Utc::now();
        let mut tx = self.begin_write().await?;
        for row in &rows {
            let member = enrol::enrol_in(&mut tx, actor, shop.id, &row.member, now).await?;
            for (channel, answer) in [
                (Channel::Email, row.email_consent),
                (Channel::Sms, row.sms_consent),
            ] {
                if let Some(granted) = answer {
                    let consent = ChannelConsent {
                        granted,
                        at: now,
                        source: ConsentSource::Import,
                    };
                    member_data::write_consent(&mut tx, member.id, channel, &consent).await?;
                }
            }
        }
        let detail = format!("{} members", rows.len());
        audit::record(
            &mut tx,
            Some(actor.staff_id),
            AuditKind::MembersImported,
            None,
            Some(&detail),
        )
        .await?;
        self.commit(tx).await?;
        report.added = rows.len() as i64;
        report.written = true;
        Ok(report)
    }

    /// Rows whose email or phone number is already a member's, or an earlier row's.
    async fn flag_duplicates(&self, rows: &[Row], found: &mut Vec<RowDuplicate>) -> Result<()> {
        let mut seen: HashMap<(&'static str, String), u64> = HashMap::new();
        for row in rows {
            // A phone number is the same as another when their last digits are (as at the
            // counter: `likely_duplicates`).
            let phone_key = row.member.phone_tail().map(|tail| {
                tail.chars()
                    .take(crate::people::members::PHONE_MATCH_DIGITS)
                    .collect::<String>()
            });
            let keys = [("email", row.member.email.clone()), ("phone", phone_key)];
            for (field, key) in keys {
                let Some(key) = key else { continue };
                if let Some(other) = seen.get(&(field, key.clone())) {
                    found.push(RowDuplicate {
                        line: row.line,
                        field: field.into(),
                        member: None,
                        other_line: Some(*other),
                    });
                    continue;
                }
                seen.insert((field, key.clone()), row.line);
                let member: Option<String> = if field == "email" {
                    sqlx::query_scalar("SELECT code FROM member WHERE email = ? LIMIT 1")
                        .bind(&key)
                        .fetch_optional(self.pool())
                        .await?
                } else {
                    sqlx::query_scalar(
                        "SELECT code FROM member WHERE phone_tail >= ? AND phone_tail < ? LIMIT 1",
                    )
                    .bind(&key)
                    .bind(format!("{key}\u{10FFFF}"))
                    .fetch_optional(self.pool())
                    .await?
                };
                if let Some(code) = member {
                    found.push(RowDuplicate {
                        line: row.line,
                        field: field.into(),
                        member: Some(code),
                        other_line: None,
                    });
                }
            }
        }
        Ok(())
    }

    /// Managers only: every member (erased ones left out) as CSV, with a byte-order mark so
    /// that Excel reads the accents; `;` between cells where Excel expects it (French,
    /// Italian, Romanian, Hungarian shops: their decimal mark is a comma). The export is in
    /// the audit trail.
    pub async fn export_members(&self, actor: &Actor) -> Result<Vec<u8>> {
        actor.require(Permission::MembersData)?;
        let shop = self.require_shop().await?;
        let delimiter = if shop.language == "en" { b',' } else { b';' };
        type Line = (
            String,
            String,
            Option<String>,
            Option<String>,
            String,
            chrono::DateTime<Utc>,
            Option<bool>,
            Option<bool>,
        );
        let members: Vec<Line> = sqlx::query_as(
            "SELECT code, name, email, phone, language, created_at, email_consent, sms_consent
             FROM member WHERE erased_at IS NULL AND name != '' ORDER BY created_at, id",
        )
        .fetch_all(self.pool())
        .await?;
        let mut out = b"\xEF\xBB\xBF".to_vec();
        {
            let mut writer = csv::WriterBuilder::new()
                .delimiter(delimiter)
                .from_writer(&mut out);
            let io = |e: csv::Error| CoreError::internal("members csv", e);
            writer
                .write_record([
                    "code",
                    "name",
                    "email",
                    "phone",
                    "language",
                    "member_since",
                    "email_consent",
                    "sms_consent",
                ])
                .map_err(io)?;
            let yes_no = |answer: Option<bool>| match answer {
                Some(true) => "yes",
                Some(false) => "no",
                None => "",
            };
            for (code, name, email, phone, language, since, email_consent, sms_consent) in &members
            {
                let since = since.format("%Y-%m-%d").to_string();
                writer
                    .write_record([
                        code.as_str(),
                        name,
                        email.as_deref().unwrap_or(""),
                        phone.as_deref().unwrap_or(""),
                        language,
                        &since,
                        yes_no(*email_consent),
                        yes_no(*sms_consent),
                    ])
                    .map_err(io)?;
            }
            writer
                .flush()
                .map_err(|e| CoreError::internal("members csv", e))?;
        }
        let mut tx = self.begin_write().await?;
        let detail = format!("{} members", members.len());
        audit::record(
            &mut tx,
            Some(actor.staff_id),
            AuditKind::MembersExported,
            None,
            Some(&detail),
        )
        .await?;
        self.commit(tx).await?;
        Ok(out)
    }
}
