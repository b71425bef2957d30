//! The errors a shop can meet, in domain words. Each has a stable `code` (for scripts, tests and
//! the UI's logic) and a Fluent message `key` (for the person reading it), never a raw SQL error.
//! Causes a person cannot act on are logged with `tracing` where they are met, and not shown.

use std::collections::BTreeMap;

use serde::Serialize;
use strum::IntoEnumIterator;
#[cfg(feature = "ts")]
use ts_rs::TS;

pub type Result<T, E = CoreError> = std::result::Result<T, E>;

/// `ErrorKind` (derived) names each variant without its fields: `all_examples` walks it, so a
/// new variant cannot go without an example, and so without a message checked in every language.
#[derive(Debug, thiserror::Error, strum::EnumDiscriminants)]
#[strum_discriminants(name(ErrorKind), derive(strum::EnumIter))]
pub enum CoreError {
    #[error("the shop is not set up yet")]
    ShopNotSetUp,
    #[error("the shop is already set up")]
    ShopAlreadySetUp,
    #[error("{field} is empty")]
    Empty { field: &'static str },
    #[error("{field} is longer than {max} characters")]
    TooLong { field: &'static str, max: usize },
    #[error("{field} contains control characters")]
    InvalidCharacters { field: &'static str },
    #[error("the email address is not valid")]
    InvalidEmail,
    #[error("the phone number is not valid")]
    InvalidPhone,
    #[error("unsupported language")]
    InvalidLanguage,
    #[error("the currency must be a three-letter ISO code")]
    InvalidCurrency,
    #[error("not a time zone (like Europe/Paris)")]
    InvalidTimeZone,
    #[error("a report's period starts after it ends")]
    InvalidPeriod,
    /// The ledger keeps times as nanoseconds since 1970 in 64 bits (migration 0025).
    #[error("an event's time is outside the years 1677 to 2262")]
    EventTimeOutOfRange,
    #[error("a PIN is 4 to 8 digits")]
    InvalidPin,
    #[error("punches needed must be between 1 and {max}")]
    InvalidPunchesNeeded { max: i64 },
    #[error("the count must be between 1 and {max}")]
    InvalidCount { max: i64 },
    #[error("no such program")]
    ProgramNotFound,
    #[error("{field} must be between {min} and {max}")]
    InvalidNumber {
        field: &'static str,
        min: i64,
        max: i64,
    },
    #[error("a points program needs 1 to 10 rewards, each at a different number of points")]
    InvalidTiers,
    #[error("the program is retired")]
    ProgramRetired,
    #[error("this member was stamped less than {minutes} minutes ago")]
    PunchTooSoon { minutes: i64 },
    #[error("this program gives points for the amount spent: type the amount")]
    AmountRequired,
    #[error("this amount earns no points")]
    NoPointsForAmount,
    #[error("say which reward (points)")]
    RewardRequired,
    #[error("the program is not active")]
    ProgramInactive,
    #[error("the shop has several active programs: say which one")]
    ProgramRequired,
    #[error("the shop has no active program")]
    NoActiveProgram,
    #[error("no such member")]
    MemberNotFound,
    #[error("this member's data was erased")]
    MemberErased,
    #[error("the file has no name column")]
    CsvNoNameColumn,
    #[error("{path} cannot be read")]
    FileUnreadable { path: String },
    #[error("no member has this code")]
    UnknownCode,
    #[error("the code was mistyped (check character does not match)")]
    MistypedCode,
    #[error("this is not a member code")]
    NotACode,
    #[error("this card was replaced on {date}")]
    CardReplaced { date: String },
    #[error("this card was revoked on {date}")]
    CardRevoked { date: String },
    #[error("this card is not genuine (its QR code does not verify)")]
    ForgedCard,
    #[error("this card was made under a key this till does not know")]
    UnknownCardKey,
    #[error("only part of the card was read")]
    TruncatedCard,
    #[error("unknown card layout (cr80 or a4-10)")]
    InvalidLayout,
    #[error("no reward to redeem")]
    NothingToRedeem,
    #[error("this is a coupon, not a member's card")]
    CouponNotCard,
    #[error("this is not a coupon")]
    NotACoupon,
    #[error("the coupon does not verify: altered, misread or forged")]
    ForgedCoupon,
    #[error("the coupon was made under a chain key this till does not know yet")]
    UnknownCouponKey,
    #[error("only part of the coupon was read")]
    TruncatedCoupon,
    #[error("the coupon was already used on {date}")]
    CouponUsed { date: String },
    #[error("the coupon expired on {date}")]
    CouponExpired { date: String },
    #[error("the coupon was withdrawn on {date}")]
    CouponWithdrawn { date: String },
    #[error("the coupon is only good in the shop that issued it")]
    CouponOtherShop,
    #[error("no such coupon")]
    CouponNotFound,
    #[error("a coupon's last day is today or later, before 2109")]
    ExpiryPast,
    #[error("a coupon used twice has no next reward to take it from: accept the loss")]
    CouponChargeBack,
    #[error("no such complaint")]
    ComplaintNotFound,
    #[error("this complaint already has its coupon")]
    ComplaintCompensated,
    #[error("the shop's rules propose no coupon for this kind of complaint")]
    NoCompensation,
    #[error("this complaint is already resolved")]
    ComplaintResolved,
    #[error("the member has already answered about this complaint")]
    FollowUpAnswered,
    #[error("nothing to ask this member about at this visit")]
    NoFollowUp,
    #[error("no such event")]
    EventNotFound,
    #[error("the event is already voided")]
    AlreadyVoided,
    #[error("this kind of event cannot be voided")]
    NotVoidable,
    #[error("the reward this punch earned has already been redeemed")]
    RewardAlreadyRedeemed,
    #[error("nothing to undo")]
    NothingToUndo,
    #[error("a reason is required")]
    ReasonRequired,
    #[error("no staff member with that name")]
    StaffNotFound,
    #[error("a staff member already has that name")]
    StaffNameTaken,
    #[error("wrong PIN")]
    WrongPin,
    #[error("too many wrong PINs: try again in {seconds} s")]
    SignInWait { seconds: i64 },
    #[error("too many wrong PINs: this name is locked until a manager unlocks it")]
    SignInLocked,
    #[error("the shop must keep at least one active manager")]
    LastManager,
    #[error("not a date (YYYY-MM-DD)")]
    InvalidDate,
    #[error("not a birthday (MM-DD, or DD.MM.)")]
    InvalidBirthday,
    #[error("this unsubscribe link is not one of this shop's, or it was changed")]
    UnsubscribeLinkInvalid,
    #[error("not an address for the shop's pages (http:// or https://)")]
    InvalidLinkBase,
    #[error("no such segment: at-risk, new, regulars, birthday or panel")]
    InvalidSegment,
    #[error("no such channel: email or sms")]
    InvalidChannel,
    #[error("not an address to serve the pages on (0.0.0.0:8470)")]
    InvalidPagesAddress,
    #[error("the pages cannot be served on {address}: another program may use it")]
    PagesUnavailable { address: String },
    #[error("not a mail server address (smtps://, or smtp:// with ?tls=required): {url}")]
    InvalidMailServer { url: String },
    #[error("the mail server must be reached encrypted (smtps://, or ?tls=required): {url}")]
    InsecureMailServer { url: String },
    #[error("not an address to send from (Name <address@example.com>)")]
    InvalidSender,
    #[error("no campaign sent by email has this id")]
    CampaignNotFound,
    #[error("the mail server {url} cannot be reached: {sent} sent, {waiting} waiting in campaign {campaign}")]
    MailServerUnreachable {
        url: String,
        campaign: String,
        sent: i64,
        waiting: i64,
    },
    #[error("the shop's pages are not served on its network: set their address in the settings")]
    PagesNotServed,
    #[error("two compensation rules for one category of complaint: {category}")]
    CompensationRuleTwice { category: String },
    #[error("this survey link is not one of this shop's, or it was changed")]
    SurveyLinkInvalid,
    #[error("this survey was answered already")]
    SurveyAnswered,
    #[error("this survey link is too old to answer")]
    SurveyExpired,
    #[error("this member has not agreed to be asked for their opinion")]
    NotOnPanel,
    #[error("this member was asked for their opinion lately: again from {date}")]
    SurveyAskedRecently { date: String },
    #[error("a survey answer is missing or out of range: {field}")]
    InvalidSurveyAnswer { field: &'static str },
    #[error("the days between two surveys of a member must be 1 to 3650")]
    InvalidSurveyInterval,
    #[error("no such \"you said, we did\" entry")]
    WeDidNotFound,
    #[error("only a manager can do this")]
    ManagerOnly,
    #[error("type your PIN again for the manager's screens")]
    PinAgain,
    #[error("sign in first")]
    SignInRequired,
    #[error("the database is locked by another program")]
    DatabaseLocked,
    #[error("the database cannot be written at {path}")]
    StoreUnwritable { path: String },
    #[error("the database file is damaged or is not a Tessera database")]
    StoreCorrupt,
    #[error("the disk is full")]
    DiskFull,
    #[error("the database file {path} was deleted or replaced while the till was open")]
    DatabaseGone { path: String },
    #[error("the database {path} was used before and is now missing")]
    DatabaseMissing { path: String },
    #[error("{path} is not a Tessera database")]
    NotATesseraDatabase { path: String },
    #[error("the database was made by a newer Tessera (schema {found}; this one knows up to {supported})")]
    DatabaseTooNew { found: i64, supported: i64 },
    #[error("the database's schema is not the one Tessera made")]
    DatabaseDamaged,
    #[error("{name} ({code}) may be the same person")]
    LikelyDuplicate { name: String, code: String },
    #[error("no program could open {path}")]
    OpenFailed { path: String },
    #[error("this computer has no print service (CUPS)")]
    PrintingUnavailable,
    #[error("the printer refused the job: {detail}")]
    PrintFailed { detail: String },
    /// A file the person chose or Tessera writes for them (a PDF of cards), not the database.
    #[error("the file {path} cannot be written")]
    FileUnwritable { path: String },
    #[error("{url} is not a hub address (https://...)")]
    InvalidHubUrl { url: String },
    #[error("{url} is not encrypted: a hub on another machine is reached over HTTPS")]
    InsecureHubUrl { url: String },
    #[error("the certificate to trust is not a PEM certificate")]
    InvalidCertificate,
    #[error("the hub at {url} cannot be reached")]
    HubUnreachable { url: String },
    #[error("the hub at {url} shows a certificate this till does not trust")]
    HubCertificateUntrusted { url: String },
    #[error("the hub does not accept this till's token ({reason})")]
    HubTokenRefused { reason: String },
    #[error("the hub refused ({reason})")]
    HubRefused { reason: String },
    #[error("this till is not part of a chain yet")]
    NotInChain,
    #[error("this till is already part of a chain")]
    AlreadyInChain,
    #[error("a backup of a till of a chain cannot be restored yet")]
    RestoreInChain,
    #[error("this redemption is not in conflict (or was settled already)")]
    NoSuchConflict,
    #[error("these two are already one member")]
    AlreadyOneMember,
    /// A fault inside Tessera nobody at the counter can fix (a PIN hash, a QR code, the embedded
    /// font, running out of codes). Make it with [`CoreError::internal`], which logs the cause.
    #[error("internal error: {what}")]
    Internal { what: &'static str },
    /// A database error we did not foresee (not locked, full, damaged...). The cause is logged
    /// where it is made (`From<sqlx::Error>`), not shown.
    #[error("storage error: {0}")]
    Storage(String),
}

/// What crosses to the UI and the CLI: a stable code, a message key, and the message's arguments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct ErrorBody {
    pub code: String,
    pub key: String,
    pub args: BTreeMap<String, String>,
    /// The database itself failed (locked, unwritable, damaged, full, gone): nothing is being
    /// saved, and the till shows a lasting "not saving" state until a write succeeds.
    pub storage_failure: bool,
}

impl CoreError {
    /// Something inside Tessera failed: logs `what` and `cause` (the log is for support) and
    /// shows the person only that it was not done. `cause` is a library's error or a fixed
    /// text, never member data or a PIN: it goes to the log file as it is.
    pub fn internal(what: &'static str, cause: impl std::fmt::Display) -> CoreError {
        tracing::error!(what, %cause, "internal error");
        CoreError::Internal { what }
    }

    /// Stable, machine-readable. Never change one once shipped: scripts and tests match on it.
    pub fn code(&self) -> &'static str {
        use CoreError::*;
        match self {
            ShopNotSetUp => "shop_not_set_up",
            ShopAlreadySetUp => "shop_already_set_up",
            Empty { .. } => "empty_field",
            TooLong { .. } => "too_long",
            InvalidCharacters { .. } => "invalid_characters",
            InvalidEmail => "invalid_email",
            InvalidPhone => "invalid_phone",
            InvalidLanguage => "invalid_language",
            InvalidCurrency => "invalid_currency",
            InvalidTimeZone => "invalid_time_zone",
            InvalidPeriod => "invalid_period",
            EventTimeOutOfRange => "event_time_out_of_range",
            InvalidPin => "invalid_pin",
            InvalidPunchesNeeded { .. } => "invalid_punches_needed",
            InvalidCount { .. } => "invalid_count",
            ProgramNotFound => "program_not_found",
            InvalidNumber { .. } => "invalid_number",
            InvalidTiers => "invalid_tiers",
            ProgramRetired => "program_retired",
            PunchTooSoon { .. } => "punch_too_soon",
            AmountRequired => "amount_required",
            NoPointsForAmount => "no_points_for_amount",
            RewardRequired => "reward_required",
            ProgramInactive => "program_inactive",
            ProgramRequired => "program_required",
            NoActiveProgram => "no_active_program",
            MemberNotFound => "member_not_found",
            MemberErased => "member_erased",
            CsvNoNameColumn => "csv_no_name_column",
            FileUnreadable { .. } => "file_unreadable",
            UnknownCode => "unknown_code",
            MistypedCode => "mistyped_code",
            NotACode => "not_a_code",
            CardReplaced { .. } => "card_replaced",
            CardRevoked { .. } => "card_revoked",
            ForgedCard => "forged_card",
            UnknownCardKey => "unknown_card_key",
            TruncatedCard => "truncated_card",
            InvalidLayout => "invalid_layout",
            NothingToRedeem => "nothing_to_redeem",
            CouponNotCard => "coupon_not_card",
            NotACoupon => "not_a_coupon",
            ForgedCoupon => "forged_coupon",
            UnknownCouponKey => "unknown_coupon_key",
            TruncatedCoupon => "truncated_coupon",
            CouponUsed { .. } => "coupon_used",
            CouponExpired { .. } => "coupon_expired",
            CouponWithdrawn { .. } => "coupon_withdrawn",
            CouponOtherShop => "coupon_other_shop",
            CouponNotFound => "coupon_not_found",
            ExpiryPast => "expiry_past",
            CouponChargeBack => "coupon_charge_back",
            ComplaintNotFound => "complaint_not_found",
            ComplaintCompensated => "complaint_compensated",
            NoCompensation => "no_compensation",
            ComplaintResolved => "complaint_resolved",
            FollowUpAnswered => "follow_up_answered",
            NoFollowUp => "no_follow_up",
            EventNotFound => "event_not_found",
            AlreadyVoided => "already_voided",
            NotVoidable => "not_voidable",
            RewardAlreadyRedeemed => "reward_already_redeemed",
            NothingToUndo => "nothing_to_undo",
            ReasonRequired => "reason_required",
            StaffNotFound => "staff_not_found",
            StaffNameTaken => "staff_name_taken",
            WrongPin => "wrong_pin",
            SignInWait { .. } => "sign_in_wait",
            SignInLocked => "sign_in_locked",
            LastManager => "last_manager",
            InvalidDate => "invalid_date",
            InvalidBirthday => "invalid_birthday",
            UnsubscribeLinkInvalid => "unsubscribe_link_invalid",
            InvalidLinkBase => "invalid_link_base",
            InvalidSegment => "invalid_segment",
            InvalidChannel => "invalid_channel",
            InvalidPagesAddress => "invalid_pages_address",
            PagesUnavailable { .. } => "pages_unavailable",
            InvalidMailServer { .. } => "invalid_mail_server",
            InsecureMailServer { .. } => "insecure_mail_server",
            InvalidSender => "invalid_sender",
            CampaignNotFound => "campaign_not_found",
            MailServerUnreachable { .. } => "mail_server_unreachable",
            PagesNotServed => "pages_not_served",
            CompensationRuleTwice { .. } => "compensation_rule_twice",
            SurveyLinkInvalid => "survey_link_invalid",
            SurveyAnswered => "survey_answered",
            SurveyExpired => "survey_expired",
            NotOnPanel => "not_on_panel",
            SurveyAskedRecently { .. } => "survey_asked_recently",
            InvalidSurveyAnswer { .. } => "invalid_survey_answer",
            InvalidSurveyInterval => "invalid_survey_interval",
            WeDidNotFound => "we_did_not_found",
            ManagerOnly => "manager_only",
            PinAgain => "pin_again",
            SignInRequired => "sign_in_required",
            DatabaseLocked => "database_locked",
            StoreUnwritable { .. } => "store_unwritable",
            StoreCorrupt => "store_corrupt",
            DiskFull => "disk_full",
            DatabaseGone { .. } => "database_gone",
            DatabaseMissing { .. } => "database_missing",
            LikelyDuplicate { .. } => "likely_duplicate",
            NotATesseraDatabase { .. } => "not_a_tessera_database",
            DatabaseTooNew { .. } => "database_too_new",
            DatabaseDamaged => "database_damaged",
            OpenFailed { .. } => "open_failed",
            PrintingUnavailable => "printing_unavailable",
            PrintFailed { .. } => "print_failed",
            FileUnwritable { .. } => "file_unwritable",
            InvalidHubUrl { .. } => "invalid_hub_url",
            InsecureHubUrl { .. } => "insecure_hub_url",
            InvalidCertificate => "invalid_certificate",
            HubUnreachable { .. } => "hub_unreachable",
            HubCertificateUntrusted { .. } => "hub_certificate_untrusted",
            HubTokenRefused { .. } => "hub_token_refused",
            HubRefused { .. } => "hub_refused",
            NotInChain => "not_in_chain",
            AlreadyInChain => "already_in_chain",
            RestoreInChain => "restore_in_chain",
            NoSuchConflict => "no_such_conflict",
            AlreadyOneMember => "already_one_member",
            Internal { .. } => "internal_error",
            Storage(_) => "storage_error",
        }
    }

    /// The Fluent message that explains it: `error-` followed by the code in kebab case.
    pub fn key(&self) -> String {
        format!("error-{}", self.code().replace('_', "-"))
    }

    /// Arguments of the message. Internal causes (`Internal`, `Storage`) are deliberately not
    /// included: they are in the log.
    pub fn args(&self) -> BTreeMap<String, String> {
        let mut args = BTreeMap::new();
        match self {
            CoreError::Empty { field }
            | CoreError::InvalidCharacters { field }
            | CoreError::InvalidSurveyAnswer { field } => {
                args.insert("field".into(), (*field).into());
            }
            CoreError::TooLong { field, max } => {
                args.insert("field".into(), (*field).into());
                args.insert("max".into(), max.to_string());
            }
            CoreError::InvalidPunchesNeeded { max } | CoreError::InvalidCount { max } => {
                args.insert("max".into(), max.to_string());
            }
            CoreError::CardReplaced { date }
            | CoreError::CardRevoked { date }
            | CoreError::CouponUsed { date }
            | CoreError::CouponExpired { date }
            | CoreError::CouponWithdrawn { date }
            | CoreError::SurveyAskedRecently { date } => {
                args.insert("date".into(), date.clone());
            }
            CoreError::StoreUnwritable { path }
            | CoreError::OpenFailed { path }
            | CoreError::FileUnwritable { path }
            | CoreError::FileUnreadable { path }
            | CoreError::DatabaseGone { path }
            | CoreError::DatabaseMissing { path }
            | CoreError::NotATesseraDatabase { path } => {
                args.insert("path".into(), path.clone());
            }
            CoreError::DatabaseTooNew { found, supported } => {
                args.insert("found".into(), found.to_string());
                args.insert("supported".into(), supported.to_string());
            }
            CoreError::InvalidHubUrl { url }
            | CoreError::InsecureHubUrl { url }
            | CoreError::InvalidMailServer { url }
            | CoreError::InsecureMailServer { url }
            | CoreError::HubUnreachable { url }
            | CoreError::HubCertificateUntrusted { url } => {
                args.insert("url".into(), url.clone());
            }
            CoreError::HubTokenRefused { reason } | CoreError::HubRefused { reason } => {
                args.insert("reason".into(), reason.clone());
            }
            CoreError::PagesUnavailable { address } => {
                args.insert("address".into(), address.clone());
            }
            CoreError::CompensationRuleTwice { category } => {
                args.insert("category".into(), category.clone());
            }
            CoreError::MailServerUnreachable {
                url,
                campaign,
                sent,
                waiting,
            } => {
                args.insert("url".into(), url.clone());
                args.insert("campaign".into(), campaign.clone());
                args.insert("sent".into(), sent.to_string());
                args.insert("waiting".into(), waiting.to_string());
            }
            CoreError::SignInWait { seconds } => {
                args.insert("seconds".into(), seconds.to_string());
            }
            CoreError::InvalidNumber { field, min, max } => {
                args.insert("field".into(), (*field).into());
                args.insert("min".into(), min.to_string());
                args.insert("max".into(), max.to_string());
            }
            CoreError::PunchTooSoon { minutes } => {
                args.insert("minutes".into(), minutes.to_string());
            }
            CoreError::LikelyDuplicate { name, code } => {
                args.insert("name".into(), name.clone());
                args.insert("code".into(), code.clone());
            }
            CoreError::PrintFailed { detail } => {
                args.insert("detail".into(), detail.clone());
            }
            _ => {}
        }
        args
    }

    /// The same error, naming `path` where it is about the database file and SQLite did not say
    /// which file (its errors never do).
    pub fn located(self, path: &std::path::Path) -> CoreError {
        match self {
            CoreError::StoreUnwritable { path: known } if known.is_empty() => {
                CoreError::StoreUnwritable {
                    path: path.display().to_string(),
                }
            }
            other => other,
        }
    }

    /// A failure of the database itself (not of the action): nothing is being saved until it
    /// is fixed, and the till says so until a write succeeds again.
    pub fn is_storage_failure(&self) -> bool {
        matches!(
            self,
            CoreError::DatabaseLocked
                | CoreError::StoreUnwritable { .. }
                | CoreError::StoreCorrupt
                | CoreError::DiskFull
                | CoreError::DatabaseGone { .. }
                | CoreError::DatabaseMissing { .. }
                | CoreError::NotATesseraDatabase { .. }
                | CoreError::DatabaseTooNew { .. }
                | CoreError::DatabaseDamaged
                | CoreError::Storage(_)
        )
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            code: self.code().into(),
            key: self.key(),
            args: self.args(),
            storage_failure: self.is_storage_failure(),
        }
    }

    /// One of each variant, for the test that checks each has a message in every language.
    pub fn all_examples() -> Vec<CoreError> {
        ErrorKind::iter().map(CoreError::example).collect()
    }

    /// An example of `kind`, its fields filled in. No wildcard arm: a new variant does not
    /// compile until it has one.
    fn example(kind: ErrorKind) -> CoreError {
        let path = || "/x".to_string();
        let date = || "2026-05-03".to_string();
        match kind {
            ErrorKind::ShopNotSetUp => CoreError::ShopNotSetUp,
            ErrorKind::ShopAlreadySetUp => CoreError::ShopAlreadySetUp,
            ErrorKind::Empty => CoreError::Empty { field: "name" },
            ErrorKind::TooLong => CoreError::TooLong {
                field: "name",
                max: 1,
            },
            ErrorKind::InvalidCharacters => CoreError::InvalidCharacters { field: "name" },
            ErrorKind::InvalidEmail => CoreError::InvalidEmail,
            ErrorKind::InvalidPhone => CoreError::InvalidPhone,
            ErrorKind::InvalidLanguage => CoreError::InvalidLanguage,
            ErrorKind::InvalidCurrency => CoreError::InvalidCurrency,
            ErrorKind::InvalidTimeZone => CoreError::InvalidTimeZone,
            ErrorKind::InvalidPeriod => CoreError::InvalidPeriod,
            ErrorKind::EventTimeOutOfRange => CoreError::EventTimeOutOfRange,
            ErrorKind::InvalidPin => CoreError::InvalidPin,
            ErrorKind::InvalidPunchesNeeded => CoreError::InvalidPunchesNeeded { max: 1 },
            ErrorKind::InvalidCount => CoreError::InvalidCount { max: 1 },
            ErrorKind::ProgramNotFound => CoreError::ProgramNotFound,
            ErrorKind::ProgramInactive => CoreError::ProgramInactive,
            ErrorKind::InvalidNumber => CoreError::InvalidNumber {
                field: "points_per_unit",
                min: 1,
                max: 1000,
            },
            ErrorKind::InvalidTiers => CoreError::InvalidTiers,
            ErrorKind::ProgramRetired => CoreError::ProgramRetired,
            ErrorKind::PunchTooSoon => CoreError::PunchTooSoon { minutes: 10 },
            ErrorKind::AmountRequired => CoreError::AmountRequired,
            ErrorKind::NoPointsForAmount => CoreError::NoPointsForAmount,
            ErrorKind::RewardRequired => CoreError::RewardRequired,
            ErrorKind::ProgramRequired => CoreError::ProgramRequired,
            ErrorKind::NoActiveProgram => CoreError::NoActiveProgram,
            ErrorKind::MemberNotFound => CoreError::MemberNotFound,
            ErrorKind::MemberErased => CoreError::MemberErased,
            ErrorKind::CsvNoNameColumn => CoreError::CsvNoNameColumn,
            ErrorKind::FileUnreadable => CoreError::FileUnreadable {
                path: "/media/usb/members.csv".into(),
            },
            ErrorKind::UnknownCode => CoreError::UnknownCode,
            ErrorKind::MistypedCode => CoreError::MistypedCode,
            ErrorKind::NotACode => CoreError::NotACode,
            ErrorKind::CardReplaced => CoreError::CardReplaced { date: date() },
            ErrorKind::CardRevoked => CoreError::CardRevoked { date: date() },
            ErrorKind::ForgedCard => CoreError::ForgedCard,
            ErrorKind::UnknownCardKey => CoreError::UnknownCardKey,
            ErrorKind::TruncatedCard => CoreError::TruncatedCard,
            ErrorKind::InvalidLayout => CoreError::InvalidLayout,
            ErrorKind::NothingToRedeem => CoreError::NothingToRedeem,
            ErrorKind::CouponNotCard => CoreError::CouponNotCard,
            ErrorKind::NotACoupon => CoreError::NotACoupon,
            ErrorKind::ForgedCoupon => CoreError::ForgedCoupon,
            ErrorKind::UnknownCouponKey => CoreError::UnknownCouponKey,
            ErrorKind::TruncatedCoupon => CoreError::TruncatedCoupon,
            ErrorKind::CouponUsed => CoreError::CouponUsed { date: date() },
            ErrorKind::CouponExpired => CoreError::CouponExpired { date: date() },
            ErrorKind::CouponWithdrawn => CoreError::CouponWithdrawn { date: date() },
            ErrorKind::CouponOtherShop => CoreError::CouponOtherShop,
            ErrorKind::CouponNotFound => CoreError::CouponNotFound,
            ErrorKind::ExpiryPast => CoreError::ExpiryPast,
            ErrorKind::CouponChargeBack => CoreError::CouponChargeBack,
            ErrorKind::ComplaintNotFound => CoreError::ComplaintNotFound,
            ErrorKind::ComplaintCompensated => CoreError::ComplaintCompensated,
            ErrorKind::NoCompensation => CoreError::NoCompensation,
            ErrorKind::ComplaintResolved => CoreError::ComplaintResolved,
            ErrorKind::FollowUpAnswered => CoreError::FollowUpAnswered,
            ErrorKind::NoFollowUp => CoreError::NoFollowUp,
            ErrorKind::EventNotFound => CoreError::EventNotFound,
            ErrorKind::AlreadyVoided => CoreError::AlreadyVoided,
            ErrorKind::NotVoidable => CoreError::NotVoidable,
            ErrorKind::RewardAlreadyRedeemed => CoreError::RewardAlreadyRedeemed,
            ErrorKind::NothingToUndo => CoreError::NothingToUndo,
            ErrorKind::ReasonRequired => CoreError::ReasonRequired,
            ErrorKind::StaffNotFound => CoreError::StaffNotFound,
            ErrorKind::StaffNameTaken => CoreError::StaffNameTaken,
            ErrorKind::WrongPin => CoreError::WrongPin,
            ErrorKind::SignInWait => CoreError::SignInWait { seconds: 20 },
            ErrorKind::SignInLocked => CoreError::SignInLocked,
            ErrorKind::LastManager => CoreError::LastManager,
            ErrorKind::InvalidDate => CoreError::InvalidDate,
            ErrorKind::InvalidBirthday => CoreError::InvalidBirthday,
            ErrorKind::UnsubscribeLinkInvalid => CoreError::UnsubscribeLinkInvalid,
            ErrorKind::InvalidLinkBase => CoreError::InvalidLinkBase,
            ErrorKind::InvalidSegment => CoreError::InvalidSegment,
            ErrorKind::InvalidChannel => CoreError::InvalidChannel,
            ErrorKind::InvalidPagesAddress => CoreError::InvalidPagesAddress,
            ErrorKind::PagesUnavailable => CoreError::PagesUnavailable {
                address: "0.0.0.0:8470".into(),
            },
            ErrorKind::InvalidMailServer => CoreError::InvalidMailServer {
                url: "mail.example".into(),
            },
            ErrorKind::InsecureMailServer => CoreError::InsecureMailServer {
                url: "smtp://mail.example".into(),
            },
            ErrorKind::InvalidSender => CoreError::InvalidSender,
            ErrorKind::PagesNotServed => CoreError::PagesNotServed,
            ErrorKind::CompensationRuleTwice => CoreError::CompensationRuleTwice {
                category: "quality".into(),
            },
            ErrorKind::SurveyLinkInvalid => CoreError::SurveyLinkInvalid,
            ErrorKind::SurveyAnswered => CoreError::SurveyAnswered,
            ErrorKind::SurveyExpired => CoreError::SurveyExpired,
            ErrorKind::NotOnPanel => CoreError::NotOnPanel,
            ErrorKind::SurveyAskedRecently => CoreError::SurveyAskedRecently {
                date: "2027-02-23".into(),
            },
            ErrorKind::InvalidSurveyAnswer => CoreError::InvalidSurveyAnswer { field: "nps" },
            ErrorKind::InvalidSurveyInterval => CoreError::InvalidSurveyInterval,
            ErrorKind::WeDidNotFound => CoreError::WeDidNotFound,
            ErrorKind::CampaignNotFound => CoreError::CampaignNotFound,
            ErrorKind::MailServerUnreachable => CoreError::MailServerUnreachable {
                url: "smtps://mail.example".into(),
                campaign: "01a20f90-5e98-75b8-b72f-3d967afde64c".into(),
                sent: 12,
                waiting: 30,
            },
            ErrorKind::ManagerOnly => CoreError::ManagerOnly,
            ErrorKind::PinAgain => CoreError::PinAgain,
            ErrorKind::SignInRequired => CoreError::SignInRequired,
            ErrorKind::DatabaseLocked => CoreError::DatabaseLocked,
            ErrorKind::StoreUnwritable => CoreError::StoreUnwritable { path: path() },
            ErrorKind::StoreCorrupt => CoreError::StoreCorrupt,
            ErrorKind::DiskFull => CoreError::DiskFull,
            ErrorKind::DatabaseGone => CoreError::DatabaseGone { path: path() },
            ErrorKind::DatabaseMissing => CoreError::DatabaseMissing { path: path() },
            ErrorKind::NotATesseraDatabase => CoreError::NotATesseraDatabase { path: path() },
            ErrorKind::DatabaseTooNew => CoreError::DatabaseTooNew {
                found: 9,
                supported: 3,
            },
            ErrorKind::DatabaseDamaged => CoreError::DatabaseDamaged,
            ErrorKind::LikelyDuplicate => CoreError::LikelyDuplicate {
                name: "Claire".into(),
                code: "7K3M-Q9PX-R".into(),
            },
            ErrorKind::OpenFailed => CoreError::OpenFailed { path: path() },
            ErrorKind::PrintingUnavailable => CoreError::PrintingUnavailable,
            ErrorKind::PrintFailed => CoreError::PrintFailed {
                detail: "The printer or class does not exist.".into(),
            },
            ErrorKind::FileUnwritable => CoreError::FileUnwritable { path: path() },
            ErrorKind::InvalidHubUrl => CoreError::InvalidHubUrl { url: "hub".into() },
            ErrorKind::InsecureHubUrl => CoreError::InsecureHubUrl {
                url: "http://hub.example".into(),
            },
            ErrorKind::InvalidCertificate => CoreError::InvalidCertificate,
            ErrorKind::HubUnreachable => CoreError::HubUnreachable {
                url: "https://hub.example/".into(),
            },
            ErrorKind::HubCertificateUntrusted => CoreError::HubCertificateUntrusted {
                url: "https://hub.example/".into(),
            },
            ErrorKind::HubTokenRefused => CoreError::HubTokenRefused {
                reason: "token_revoked".into(),
            },
            ErrorKind::HubRefused => CoreError::HubRefused {
                reason: "token_used".into(),
            },
            ErrorKind::NotInChain => CoreError::NotInChain,
            ErrorKind::AlreadyInChain => CoreError::AlreadyInChain,
            ErrorKind::RestoreInChain => CoreError::RestoreInChain,
            ErrorKind::NoSuchConflict => CoreError::NoSuchConflict,
            ErrorKind::AlreadyOneMember => CoreError::AlreadyOneMember,
            // Built directly: an example is not an event worth a log line.
            ErrorKind::Internal => CoreError::Internal { what: "example" },
            ErrorKind::Storage => CoreError::Storage(String::new()),
        }
    }
}

/// SQLite's primary result codes we turn into domain errors (the extended code's low byte).
const SQLITE_BUSY: i64 = 5;
const SQLITE_LOCKED: i64 = 6;
const SQLITE_READONLY: i64 = 8;
const SQLITE_IOERR: i64 = 10;
const SQLITE_CORRUPT: i64 = 11;
const SQLITE_FULL: i64 = 13;
const SQLITE_CANTOPEN: i64 = 14;
const SQLITE_NOTADB: i64 = 26;

impl From<sqlx::Error> for CoreError {
    fn from(err: sqlx::Error) -> Self {
        // SQLite's and sqlx's messages name tables, columns and constraints, never the values
        // bound to a query: they may go to the log.
        if let sqlx::Error::Database(db) = &err {
            let primary = db
                .code()
                .and_then(|c| c.parse::<i64>().ok())
                .map(|c| c & 0xff);
            let known = match primary {
                Some(SQLITE_BUSY | SQLITE_LOCKED) => Some(CoreError::DatabaseLocked),
                Some(SQLITE_FULL) => Some(CoreError::DiskFull),
                Some(SQLITE_CORRUPT | SQLITE_NOTADB) => Some(CoreError::StoreCorrupt),
                Some(SQLITE_READONLY | SQLITE_CANTOPEN | SQLITE_IOERR) => {
                    Some(CoreError::StoreUnwritable {
                        path: String::new(),
                    })
                }
                _ => None,
            };
            if let Some(known) = known {
                // The person is told what to do; support also wants SQLite's extended code.
                let sqlite = db.code();
                tracing::warn!(code = known.code(), ?sqlite, cause = %err, "database refused");
                return known;
            }
        }
        if let sqlx::Error::PoolTimedOut = err {
            tracing::warn!("database busy: no connection within the timeout");
            return CoreError::DatabaseLocked;
        }
        tracing::error!(cause = %err, "database error");
        CoreError::Storage(err.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Messages;

    #[test]
    fn an_unwritable_database_names_its_file_and_says_nothing_was_saved() {
        // SQLite's read-only error knows no path: the store adds its own.
        let from_sqlite = CoreError::StoreUnwritable {
            path: String::new(),
        };
        let located = from_sqlite.located(std::path::Path::new("/srv/shop/tessera.db"));
        let body = located.body();
        assert_eq!(body.args["path"], "/srv/shop/tessera.db");
        assert!(body.storage_failure);
        let said = Messages::new("en").error(&located);
        assert!(
            said.contains("/srv/shop/tessera.db") && said.contains("NOT saved"),
            "{said}"
        );
    }

    /// What `run` logs, as the log file would have it.
    fn logged<T>(run: impl FnOnce() -> T) -> (String, T) {
        #[derive(Clone, Default)]
        struct Lines(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
        impl std::io::Write for Lines {
            fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(bytes);
                Ok(bytes.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let lines = Lines::default();
        let writer = lines.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .finish();
        let value = tracing::subscriber::with_default(subscriber, run);
        let text = String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
        (text, value)
    }

    #[test]
    fn an_internal_error_logs_its_cause_and_shows_none_of_it() {
        let (log, error) = logged(|| CoreError::internal("pin hashing", "salt too short"));
        assert!(
            log.contains("ERROR") && log.contains("pin hashing") && log.contains("salt too short"),
            "{log}"
        );
        let body = error.body();
        assert_eq!(body.code, "internal_error");
        assert_eq!(body.key, "error-internal-error");
        assert!(body.args.is_empty(), "{:?}", body.args);
        // The database is fine: the till does not switch to "not saving".
        assert!(!body.storage_failure);
        let said = Messages::new("en").error(&error);
        assert!(
            !said.contains("salt") && !said.contains("pin hashing"),
            "{said}"
        );
        assert!(
            said.contains("NOT done") && said.contains("support"),
            "{said}"
        );
    }

    #[test]
    fn an_unforeseen_database_error_is_logged_and_is_a_storage_failure() {
        let (log, error) = logged(|| CoreError::from(sqlx::Error::RowNotFound));
        assert!(matches!(error, CoreError::Storage(_)), "{error:?}");
        assert!(
            log.contains("database error") && log.contains("no rows"),
            "{log}"
        );
        let body = error.body();
        assert!(body.args.is_empty() && body.storage_failure, "{body:?}");
    }

    #[test]
    fn a_file_that_cannot_be_written_is_named_and_is_not_the_database() {
        let error = CoreError::FileUnwritable {
            path: "/media/usb/cards.pdf".into(),
        };
        let body = error.body();
        assert_eq!(body.code, "file_unwritable");
        assert_eq!(body.args["path"], "/media/usb/cards.pdf");
        assert!(!body.storage_failure);
        for language in ["en", "fr", "it", "ro", "hu"] {
            let said = Messages::new(language).error(&error);
            assert!(said.contains("/media/usb/cards.pdf"), "{language}: {said}");
        }
    }

    #[test]
    fn every_variant_has_an_example_of_itself_and_a_code_of_its_own() {
        let examples = CoreError::all_examples();
        assert_eq!(examples.len(), ErrorKind::iter().count());
        for (kind, example) in ErrorKind::iter().zip(&examples) {
            assert_eq!(ErrorKind::from(example), kind, "{example:?}");
        }
        let codes: std::collections::BTreeSet<_> = examples.iter().map(CoreError::code).collect();
        assert_eq!(codes.len(), examples.len(), "two variants share a code");
    }

    #[test]
    fn a_refusal_of_the_action_is_not_a_storage_failure() {
        assert!(!CoreError::NothingToRedeem.body().storage_failure);
        assert!(CoreError::DatabaseLocked.body().storage_failure);
    }

    #[test]
    fn a_damaged_database_does_not_send_anyone_to_a_backup_that_may_not_exist() {
        for language in ["en", "fr", "it", "ro", "hu"] {
            let said = Messages::new(language).error(&CoreError::StoreCorrupt);
            let lower = said.to_lowercase();
            for word in [
                "backup",
                "sauvegarde",
                "ripristina",
                "copie de rezervă",
                "biztonsági mentés",
            ] {
                assert!(!lower.contains(word), "{language}: {said}");
            }
        }
    }
}
