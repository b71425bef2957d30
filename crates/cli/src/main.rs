//! `tessera`: the headless admin CLI over a till's store, for managers, scripts and support.
//! This file holds the global options, the list of subcommands and the runtime; each
//! subcommand lives in `command/<name>.rs` with its arguments, its run and its output.

mod command;
mod output;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tessera_core::store::default_db_path;
use tessera_core::{ErrorBody, Result, Store};

use command::Context;
use output::Output;

#[derive(Parser)]
#[command(
    name = "tessera",
    version,
    about = "Tessera loyalty: the till's admin command line"
)]
struct Cli {
    /// The database file (default: the desktop app's, in the platform's data folder).
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
    /// Print one JSON document on stdout, errors included.
    #[arg(long)]
    json: bool,
    /// Language of messages (en, fr, it, ro, hu); default from LANG.
    #[arg(long, value_name = "L")]
    lang: Option<String>,
    /// Act as this staff member (or TESSERA_STAFF). Every command that changes something, and
    /// every manager command, needs a staff member and their PIN.
    #[arg(long, value_name = "NAME", env = "TESSERA_STAFF")]
    staff: Option<String>,
    /// The PIN, for scripts that cannot do otherwise: other users of this computer can read a
    /// command line. Prefer TESSERA_PIN, or let tessera ask for it on a terminal.
    #[arg(long, value_name = "PIN")]
    pin: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Set up the shop and its first manager.
    Init(command::init::Args),
    /// Set up a demo café with members and two programs.
    Demo(command::demo::Args),
    /// Punch-card programs.
    #[command(subcommand)]
    Program(command::program::Command),
    /// Members.
    #[command(subcommand)]
    Member(command::member::Command),
    /// Decode a scanned or typed code and show the member and each card.
    Scan(command::scan::Args),
    /// Stamp a member's card.
    Punch(command::punch::Args),
    /// Redeem one reward.
    Redeem(command::redeem::Args),
    /// Cancel an earlier punch or redemption (a compensating event; nothing is deleted).
    Void(command::void::Args),
    /// Coupons, good for one use: issue (managers), show, redeem.
    Coupon(command::coupon::Args),
    /// Complaints: log one, give its coupon, resolve it, ask the member at the next visit.
    Complaint(command::complaint::Args),
    /// Campaigns: write to a segment of members who agreed, with a coupon each (managers).
    Campaign(command::campaign::Args),
    /// Surveys: ask a member on the panel, or make a link for a receipt; keep the answers.
    Survey(command::survey::Args),
    /// "You said, we did": what the shop changed after feedback (managers).
    WeDid(command::we_did::Args),
    /// Serve the till's pages on the shop's network (unsubscribe links, surveys).
    Serve(command::serve::Args),
    /// A member's events, newest first.
    History(command::history::Args),
    /// Loyalty cards: print, show, revoke, reissue (managers).
    #[command(subcommand)]
    Cards(command::cards::Command),
    /// Check the store's integrity; --rebuild recomputes card balances from the ledger.
    Doctor(command::doctor::Args),
    /// Redemptions sync found the card could not pay for; `conflicts resolve` settles one.
    Conflicts(command::conflicts::Args),
    /// Make this till a till of a chain (its hub), then sync once.
    Join(command::join::Args),
    /// Send this till's work to the hub and receive the chain's; `sync status`, `--watch`.
    Sync(command::sync::Args),
    /// The shop's name, default language, currency and time zone: show, set (managers).
    #[command(subcommand)]
    Shop(command::shop::Command),
    /// The shop's staff: add, list, rename, role, PIN, unlock, deactivate (managers).
    #[command(subcommand)]
    Staff(command::staff::Command),
    /// Reports: summary, retention, members at risk, staff; days in the shop's time zone (managers).
    #[command(subcommand)]
    Report(command::report::Command),
    /// Voids, failed PINs, staff changes, exports and erasures: who, when, why (managers).
    Audit(command::audit::Args),
    /// Copy the database to FILE, consistent while the till keeps working (managers).
    Backup(command::backup::BackupArgs),
    /// Put the backup FILE in place of the database; the one replaced is kept aside (managers).
    Restore(command::backup::RestoreArgs),
    /// The version, where the database and the logs are, and the licences of what is bundled.
    About(command::about::Args),
    /// For benchmarks: `dev seed` writes a generated history (never on a real shop's database).
    #[command(subcommand, hide = true)]
    Dev(command::dev::Command),
}

/// A command lives a few milliseconds, and most of its allocations are SQLite's, on sqlx's worker
/// thread (reading the schema, then the query). glibc gives that thread an arena of its own and
/// grows it one page at a time, an `mprotect` each: about 120 per command (issue 12: `tessera
/// --json scan` as a process, docs/performance.md). mimalloc, which also serves SQLite's `malloc`
/// here (its `override` feature), takes memory in large steps. Its version 2 (`v2`): version 3
/// returns freed pages at once, which a process this short pays for (about 0.5 ms a command,
/// measured). Version 2 also asks for transparent huge pages on its arena: a 2 MB page zeroed at
/// its first touch costs less than the 4 KB faults it saves (its `no_thp` feature: p50 0.1–0.2 ms
/// slower), but now and then the kernel compacts memory to find one, and about one command in a
/// hundred takes 10–20 ms (docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Logs only when asked (`RUST_LOG=…`), on stderr: stdout stays the one `--json` document.
    if std::env::var_os("RUST_LOG").is_some() {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_writer(std::io::stderr)
            .init();
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage_error(error),
    };
    let out = Output::new(cli.json, cli.lang.as_deref());
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("tessera: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli, &out)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            out.error(&error);
            ExitCode::FAILURE
        }
    }
}

/// Help and version print as usual, and a usage mistake as clap words it, exiting 2. Under
/// `--json` the mistake is still one JSON document, the same error shape as any refusal.
fn usage_error(error: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    let args: Vec<String> = std::env::args().collect();
    let wants_json = args.iter().any(|a| a == "--json");
    if !wants_json
        || matches!(
            error.kind(),
            ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
        )
    {
        error.exit();
    }
    // clap's own words (in English) say what is missing or wrong, and how the command reads.
    let rendered = error.render().to_string();
    let detail = rendered.trim().trim_start_matches("error: ").to_string();
    let body = ErrorBody {
        code: "invalid_arguments".into(),
        key: "error-invalid-arguments".into(),
        args: BTreeMap::from([("detail".to_string(), detail)]),
        storage_failure: false,
    };
    Output::new(true, lang_option(&args)).error_body(body);
    ExitCode::from(2)
}

/// `--lang L` or `--lang=L` as typed, when the command line as a whole did not parse.
fn lang_option(args: &[String]) -> Option<&str> {
    args.iter()
        .enumerate()
        .find_map(|(i, arg)| match arg.as_str() {
            "--lang" => args.get(i + 1).map(String::as_str),
            _ => arg.strip_prefix("--lang="),
        })
}

async fn run(cli: Cli, out: &Output) -> Result<()> {
    let db = cli.db.clone().unwrap_or_else(default_db_path);
    // Neither needs the database to open: one says where it is, the other replaces it.
    if let Command::About(args) = cli.command {
        command::about::run(args, &db, out);
        return Ok(());
    }
    if let Command::Restore(args) = cli.command {
        return command::backup::run_restore(
            args,
            &db,
            out,
            cli.staff.as_deref(),
            cli.pin.as_deref(),
        )
        .await
        .map_err(|e| e.located(&db));
    }
    let store = Store::open_for_one_command(&db)
        .await
        .map_err(|e| e.located(&db))?;
    let cx = Context {
        store: &store,
        out,
        staff: cli.staff.as_deref(),
        pin: cli.pin.as_deref(),
    };
    let result = dispatch(cli.command, &cx).await;
    store.close().await;
    result.map_err(|e| e.located(&db))
}

async fn dispatch(chosen: Command, cx: &Context<'_>) -> Result<()> {
    match chosen {
        Command::Init(args) => command::init::run(args, cx).await,
        Command::Demo(args) => command::demo::run(args, cx).await,
        Command::Program(sub) => command::program::run(sub, cx).await,
        Command::Member(sub) => command::member::run(sub, cx).await,
        Command::Scan(args) => command::scan::run(args, cx).await,
        Command::Punch(args) => command::punch::run(args, cx).await,
        Command::Redeem(args) => command::redeem::run(args, cx).await,
        Command::Void(args) => command::void::run(args, cx).await,
        Command::Coupon(args) => command::coupon::run(args, cx).await,
        Command::Complaint(args) => command::complaint::run(args, cx).await,
        Command::Campaign(args) => command::campaign::run(args, cx).await,
        Command::Survey(args) => command::survey::run(args, cx).await,
        Command::WeDid(args) => command::we_did::run(args, cx).await,
        Command::Serve(args) => command::serve::run(args, cx).await,
        Command::History(args) => command::history::run(args, cx).await,
        Command::Cards(sub) => command::cards::run(sub, cx).await,
        Command::Doctor(args) => command::doctor::run(args, cx).await,
        Command::Conflicts(args) => command::conflicts::run(args, cx).await,
        Command::Join(args) => command::join::run(args, cx).await,
        Command::Sync(args) => command::sync::run(args, cx).await,
        Command::Staff(sub) => command::staff::run(sub, cx).await,
        Command::Shop(sub) => command::shop::run(sub, cx).await,
        Command::Audit(args) => command::audit::run(args, cx).await,
        Command::Report(sub) => command::report::run(sub, cx).await,
        Command::Dev(sub) => command::dev::run(sub, cx).await,
        Command::Backup(args) => command::backup::run_backup(args, cx).await,
        Command::About(_) | Command::Restore(_) => {
            unreachable!("about and restore run before the store opens")
        }
    }
}
