//! One module per subcommand: its clap arguments, its `run`, and the struct it answers with.
//! An answer wraps core's own wire type where the app answers with one, so scripts and the app
//! read the same shape; punch, redeem and void all answer an [`action::ActionOutput`].

pub mod about;
pub mod action;
pub mod audit;
pub mod backup;
pub mod campaign;
pub mod cards;
pub mod complaint;
pub mod conflicts;
pub mod coupon;
pub mod demo;
pub mod dev;
pub mod doctor;
pub mod history;
pub mod init;
pub mod join;
pub mod member;
pub mod program;
pub mod punch;
pub mod redeem;
pub mod report;
pub mod scan;
pub mod serve;
pub mod shared;
pub mod shop;
pub mod staff;
pub mod survey;
pub mod sync;
pub mod void;
pub mod we_did;

use tessera_core::Store;

use crate::output::Output;

/// What every command runs with: the open store, who says they act (the global `--staff` and
/// `--pin`, checked only by the commands that need someone), and where answers go.
pub struct Context<'a> {
    pub store: &'a Store,
    pub out: &'a Output,
    pub staff: Option<&'a str>,
    pub pin: Option<&'a str>,
}
