//! `tessera`: the headless admin CLI over a till's store, for managers, scripts and support.
//! Each subcommand parses its arguments, calls tessera-core, and prints the result: one JSON
//! document under `--json`, translated text otherwise. Errors exit 1 with a stable code.

mod output;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use serde_json::json;
use tessera_core::cards::Selection;
use tessera_core::ledger::VoidReason;
use tessera_core::member_code::MemberCode;
use tessera_core::members::{EnrollOptions, EnrollOutcome, NewMember};
use tessera_core::programs::NewProgram;
use tessera_core::shop::{Actor, NewShop};
use tessera_core::store::default_db_path;
use tessera_core::{CoreError, MemberView, Result, Store};
use uuid::Uuid;

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
    /// Print one JSON document on stdout.
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
    Init {
        #[arg(long)]
        shop: String,
        #[arg(long)]
        manager: String,
        #[arg(long)]
        pin: String,
        #[arg(long, default_value = "en")]
        language: String,
        #[arg(long, default_value = "EUR")]
        currency: String,
    },
    /// Set up a demo café with members and two programs.
    Demo {
        #[arg(long, default_value = "en")]
        language: String,
    },
    /// Punch-card programs.
    #[command(subcommand)]
    Program(ProgramCommand),
    /// Members.
    #[command(subcommand)]
    Member(MemberCommand),
    /// Decode a scanned or typed code and show the member and each card.
    Scan { input: String },
    /// Stamp a member's card.
    Punch {
        code: String,
        /// Program id or name; may be left out when the shop has one active program.
        #[arg(long)]
        program: Option<String>,
        #[arg(long, default_value_t = 1, allow_negative_numbers = true)]
        count: i64,
    },
    /// Redeem one reward.
    Redeem {
        code: String,
        #[arg(long)]
        program: Option<String>,
    },
    /// Cancel an earlier punch or redemption (a compensating event; nothing is deleted).
    Void {
        event_id: String,
        /// wrong-member, scanned-twice, wrong-card, or your own words.
        #[arg(long)]
        reason: String,
    },
    /// A member's events, newest first.
    History {
        code: String,
        #[arg(long, default_value_t = 100)]
        limit: i64,
    },
    /// Loyalty cards: print, revoke, reissue (managers, with --staff and --pin).
    #[command(subcommand)]
    Cards(CardsCommand),
    /// Check the store's integrity; --rebuild recomputes card balances from the ledger.
    Doctor {
        #[arg(long)]
        rebuild: bool,
    },
}

#[derive(Subcommand)]
enum CardsCommand {
    /// A PDF of members' cards.
    Pdf {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// cr80 (one card per page, card printers) or a4-10 (A4 sheets of 10, office printers).
        #[arg(long, default_value = "cr80")]
        layout: String,
        /// `all`, or member ids / card codes separated by commas.
        #[arg(long, default_value = "all")]
        members: String,
        /// Print every card in this language instead of each member's own.
        #[arg(long)]
        language: Option<String>,
    },
    /// A page with a ruler and a sample card, to check the printer's scaling.
    TestPage {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// A member's current card: its code and QR token.
    Show { code: String },
    /// Refuse a lost card from now on (the member keeps their history).
    Revoke { code: String },
    /// Revoke a card and issue a new one; prints the new code and token.
    Reissue { code: String },
}

#[derive(Subcommand)]
enum ProgramCommand {
    Add {
        #[arg(long)]
        name: String,
        #[arg(long, allow_negative_numbers = true)]
        punches: i64,
        #[arg(long)]
        reward: String,
    },
    List,
}

#[derive(Subcommand)]
enum MemberCommand {
    Add {
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        phone: Option<String>,
        #[arg(long)]
        language: Option<String>,
        /// Enrol even when a member has the same email, phone number or name.
        #[arg(long)]
        allow_duplicate: bool,
    },
    Find {
        query: String,
    },
}

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

/// Help and version print as usual; a usage mistake under `--json` is still one JSON document.
fn usage_error(error: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    let wants_json = std::env::args().any(|a| a == "--json");
    if !wants_json
        || matches!(
            error.kind(),
            ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
        )
    {
        error.exit();
    }
    let message = error.render().to_string();
    let body = json!({ "error": { "code": "invalid_arguments", "message": message.trim() } });
    println!("{body}");
    ExitCode::from(2)
}

async fn run(cli: Cli, out: &Output) -> Result<()> {
    let db = cli.db.clone().unwrap_or_else(default_db_path);
    let store = Store::open(&db).await.map_err(|e| e.located(&db))?;
    let result = dispatch(&cli, &store, out).await;
    store.close().await;
    result.map_err(|e| e.located(&db))
}

async fn dispatch(cli: &Cli, store: &Store, out: &Output) -> Result<()> {
    match &cli.command {
        Command::Init {
            shop,
            manager,
            pin,
            language,
            currency,
        } => {
            let set_up = store
                .init_shop(&NewShop {
                    shop_name: shop.clone(),
                    language: language.clone(),
                    currency: currency.clone(),
                    manager_name: manager.clone(),
                    manager_pin: pin.clone(),
                })
                .await?;
            out.init(&set_up);
        }
        Command::Demo { language } => {
            let set_up = tessera_core::demo::load_demo(store, language).await?;
            out.init(&set_up);
        }
        Command::Program(ProgramCommand::Add {
            name,
            punches,
            reward,
        }) => {
            let actor = signed_in(cli, store).await?;
            let program = store
                .add_program(
                    &actor,
                    &NewProgram {
                        name: name.clone(),
                        punches_needed: *punches,
                        reward: reward.clone(),
                    },
                )
                .await?;
            out.program_added(&program);
        }
        Command::Program(ProgramCommand::List) => out.programs(&store.programs().await?),
        Command::Member(MemberCommand::Add {
            name,
            email,
            phone,
            language,
            allow_duplicate,
        }) => {
            let actor = signed_in(cli, store).await?;
            let new = NewMember {
                name: name.clone(),
                email: email.clone(),
                phone: phone.clone(),
                language: language.clone(),
            };
            let options = EnrollOptions {
                allow_likely_duplicate: *allow_duplicate,
                first_stamp: None,
            };
            match store.enroll_with(&actor, &new, &options).await? {
                EnrollOutcome::Enrolled { member, .. } => out.member_added(&member),
                EnrollOutcome::LikelyDuplicates { members } => {
                    let first = &members[0].member;
                    return Err(CoreError::LikelyDuplicate {
                        name: first.name.clone(),
                        code: first.code.clone(),
                    });
                }
            }
        }
        Command::Member(MemberCommand::Find { query }) => {
            out.members(&store.find_members(query).await?);
        }
        Command::Scan { input } => out.member_view(&member_by_code(store, input).await?),
        Command::Punch {
            code,
            program,
            count,
        } => {
            let actor = signed_in(cli, store).await?;
            let member = member_by_code(store, code).await?;
            let program = program_id(store, program.as_deref()).await?;
            let result = store
                .punch(&actor, member.member.id, program, *count)
                .await?;
            out.action(
                json!({ "events": [result.event], "card": result.card,
                        "rewards_earned_now": result.rewards_earned_now }),
                &result,
            );
        }
        Command::Redeem { code, program } => {
            let actor = signed_in(cli, store).await?;
            let member = member_by_code(store, code).await?;
            let program = program_id(store, program.as_deref()).await?;
            let result = store.redeem(&actor, member.member.id, program).await?;
            out.action(
                json!({ "event": result.event, "card": result.card }),
                &result,
            );
        }
        Command::Void { event_id, reason } => {
            let actor = signed_in(cli, store).await?;
            let id = Uuid::parse_str(event_id.trim()).map_err(|_| CoreError::EventNotFound)?;
            let result = store
                .void(&actor, id, &VoidReason::from_text(reason)?)
                .await?;
            out.voided(&result);
        }
        Command::History { code, limit } => {
            let member = member_by_code(store, code).await?;
            out.history(&store.history(member.member.id, *limit).await?);
        }
        Command::Cards(command) => cards(cli, store, out, command).await?,
        Command::Doctor { rebuild } => {
            let actor = signed_in(cli, store).await?;
            let report = store.doctor(&actor, *rebuild).await?;
            out.doctor(&report);
        }
    }
    Ok(())
}

async fn cards(cli: &Cli, store: &Store, out: &Output, command: &CardsCommand) -> Result<()> {
    let actor = signed_in(cli, store).await?;
    match command {
        CardsCommand::Pdf {
            out: file,
            layout,
            members,
            language,
        } => {
            let selection = if members.trim() == "all" {
                Selection::All
            } else {
                Selection::Members(members.split(',').map(str::to_string).collect())
            };
            let printed = store
                .print_cards(
                    &actor,
                    &selection,
                    layout.parse()?,
                    language.as_deref(),
                    &mut |_, _| {},
                )
                .await?;
            tessera_core::pdf::write_file(file, &printed.pdf)?;
            out.cards_written(file, &printed.cards);
        }
        CardsCommand::TestPage { out: file } => {
            tessera_core::pdf::write_file(file, &store.print_test_page(&actor).await?)?;
            out.cards_written(file, &[]);
        }
        CardsCommand::Show { code } => {
            let card = store.card_code(code).await?;
            let member = member_of_card(store, &card).await?;
            out.card(&store.current_card(&actor, member).await?);
        }
        CardsCommand::Revoke { code } => out.card_revoked(&store.revoke_card(&actor, code).await?),
        CardsCommand::Reissue { code } => out.card(&store.reissue_card(&actor, code).await?),
    }
    Ok(())
}

async fn member_of_card(store: &Store, code: &MemberCode) -> Result<Uuid> {
    match store.lookup(code.as_str(), &[]).await?.into_result() {
        Ok(view) => Ok(view.member.id),
        Err(error) => Err(error),
    }
}

/// Who is acting: the staff member named by `--staff` or TESSERA_STAFF, signed in with their
/// PIN from TESSERA_PIN, `--pin`, or a prompt when a person is at a terminal. What they may do
/// is the core's permission table's business, not the CLI's.
async fn signed_in(cli: &Cli, store: &Store) -> Result<Actor> {
    store.require_shop().await?;
    let name = cli.staff.as_deref().ok_or(CoreError::SignInRequired)?;
    let pin = match cli
        .pin
        .clone()
        .or_else(|| std::env::var("TESSERA_PIN").ok())
    {
        Some(pin) => pin,
        None => ask_pin(name)?,
    };
    Ok(Actor::from(&store.sign_in(name, &pin).await?))
}

/// The PIN, typed without echo, when a person is at a terminal; a script gets sign_in_required.
fn ask_pin(name: &str) -> Result<String> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return Err(CoreError::SignInRequired);
    }
    rpassword::prompt_password(format!("PIN ({name}): ")).map_err(|_| CoreError::SignInRequired)
}

/// Every code the CLI takes goes through the same decoding as a scan at the counter.
async fn member_by_code(store: &Store, input: &str) -> Result<MemberView> {
    store.lookup(input, &[]).await?.into_result()
}

/// `--program` takes a program's id or its name.
async fn program_id(store: &Store, program: Option<&str>) -> Result<Option<Uuid>> {
    match program {
        Some(named) => Ok(Some(store.program_named(named).await?.id)),
        None => Ok(None),
    }
}
