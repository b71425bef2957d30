//! `tessera-hub`: the chain's sync hub. Tills push their logs to it and pull each other's.
//!
//!   tessera-hub --db sqlite://hub.db serve --listen 0.0.0.0:7878
//!   tessera-hub --db sqlite://hub.db device add --shop "Café Lumière" [--json]
//!   tessera-hub --db sqlite://hub.db device list [--json]
//!   tessera-hub --db sqlite://hub.db device revoke ID

mod api;
mod exchange;
mod storage;
mod tls;

use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use rand::RngCore;
use serde::Serialize;
use uuid::Uuid;

use storage::postgres::PgStorage;
use storage::sqlite::SqliteStorage;
use storage::{Device, Storage, StorageError};

#[derive(Parser)]
#[command(
    name = "tessera-hub",
    version,
    about = "Tessera's sync hub for a chain of shops"
)]
struct Cli {
    /// The hub's database: sqlite://PATH (a small chain) or postgres://... (a large one).
    #[arg(
        long,
        value_name = "URL",
        env = "TESSERA_HUB_DB",
        default_value = "sqlite://hub.db"
    )]
    db: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve tills: over HTTPS with --tls-cert and --tls-key, or over HTTP behind an HTTPS
    /// reverse proxy (tills refuse plain HTTP to anything but their own machine).
    Serve {
        /// Address to listen on; port 0 picks a free one (printed on the first line).
        #[arg(
            long,
            value_name = "ADDR",
            env = "TESSERA_HUB_LISTEN",
            default_value = "127.0.0.1:7878"
        )]
        listen: SocketAddr,
        /// The certificate chain (PEM, leaf first) to serve HTTPS with.
        #[arg(
            long,
            value_name = "FILE",
            env = "TESSERA_HUB_TLS_CERT",
            requires = "tls_key"
        )]
        tls_cert: Option<std::path::PathBuf>,
        /// Its private key (PEM).
        #[arg(
            long,
            value_name = "FILE",
            env = "TESSERA_HUB_TLS_KEY",
            requires = "tls_cert"
        )]
        tls_key: Option<std::path::PathBuf>,
    },
    /// The chain's devices (tills) and their tokens.
    #[command(subcommand)]
    Device(DeviceCommand),
}

#[derive(Subcommand)]
enum DeviceCommand {
    /// A new device for a shop, and its token (shown once: the hub keeps only its hash).
    Add {
        #[arg(long, value_name = "NAME")]
        shop: String,
        #[arg(long)]
        json: bool,
    },
    /// Every device, joined or not, revoked or not.
    List {
        #[arg(long)]
        json: bool,
    },
    /// The device's token stops working; what it synced stays.
    Revoke { id: Uuid },
}

#[derive(Serialize)]
struct Added {
    token: String,
    device: Device,
}

fn main() -> ExitCode {
    // Logs on stderr (journald keeps them under systemd); stdout is for answers.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "tessera_hub=info".into()),
        )
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("tessera-hub: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tessera-hub: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    // The database URL picks the storage; the rest of the hub is the same over both.
    let opening = || format!("opening {}", redacted(&cli.db));
    if cli.db.starts_with("sqlite:") {
        let storage = SqliteStorage::open(&cli.db).await.with_context(opening)?;
        return command(storage, cli.command).await;
    }
    if cli.db.starts_with("postgres:") || cli.db.starts_with("postgresql:") {
        let storage = PgStorage::open(&cli.db).await.with_context(opening)?;
        return command(storage, cli.command).await;
    }
    Err(StorageError::UnsupportedUrl.into())
}

/// A database URL without its password, for messages and logs.
fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

async fn command<S: Storage>(storage: S, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve {
            listen,
            tls_cert,
            tls_key,
        } => {
            let tls = match (tls_cert, tls_key) {
                (Some(cert), Some(key)) => Some(tls::config(&cert, &key)?),
                _ => None,
            };
            serve(storage, listen, tls).await
        }
        Command::Device(DeviceCommand::Add { shop, json }) => {
            let mut secret = [0u8; 32];
            rand::thread_rng().fill_bytes(&mut secret);
            let token = format!(
                "tsh1_{}",
                secret
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect::<String>()
            );
            let device = storage
                .add_device(shop.trim(), &api::token_hash(&token))
                .await?;
            if json {
                println!("{}", serde_json::to_string(&Added { token, device })?);
            } else {
                println!(
                    "Device {} ({}) for {}",
                    device.no, device.id, device.shop_name
                );
                println!("Token (shown once; give it to the till): {token}");
            }
            Ok(())
        }
        Command::Device(DeviceCommand::List { json }) => {
            let devices = storage.devices().await?;
            if json {
                println!("{}", serde_json::to_string(&devices)?);
            } else {
                for d in devices {
                    let state = match (d.revoked_at, d.joined_at) {
                        (Some(_), _) => "revoked",
                        (None, Some(_)) => "joined",
                        (None, None) => "waiting",
                    };
                    println!(
                        "{:>4}  {}  {:<8} events {:>8}  changes {:>8}  {}",
                        d.no, d.id, state, d.marks.events, d.marks.changes, d.shop_name
                    );
                }
            }
            Ok(())
        }
        Command::Device(DeviceCommand::Revoke { id }) => {
            anyhow::ensure!(storage.revoke_device(id).await?, "no device {id}");
            println!("Device {id} revoked");
            Ok(())
        }
    }
}

/// Ctrl-C in a terminal, or SIGTERM from a service manager (`systemctl stop`): either lets the
/// requests under way finish before the hub exits.
async fn stop_asked() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut terminate) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

async fn serve<S: Storage>(
    storage: S,
    listen: SocketAddr,
    tls: Option<tokio_rustls::rustls::ServerConfig>,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    let address = listener.local_addr()?;
    let shutdown = stop_asked();
    let router = api::router(storage);
    // The first line on stdout says where: tests and scripts that asked for port 0 read it.
    match tls {
        Some(config) => {
            println!("listening on https://{address}");
            tracing::info!(%address, "tessera-hub serving HTTPS");
            let listener = tls::TlsListener::new(listener, config)?;
            axum::serve(listener, router)
                .with_graceful_shutdown(shutdown)
                .await?;
        }
        None => {
            println!("listening on http://{address}");
            tracing::info!(%address, "tessera-hub serving HTTP");
            axum::serve(listener, router)
                .with_graceful_shutdown(shutdown)
                .await?;
        }
    }
    Ok(())
}
