//! The real `tessera` binary, as a script or support runs it: a module per subcommand, as in
//! `src/command/`, holding that command's answers and refusals, then what crosses commands
//! (the whole story, who acts, errors, text output, copying the file). One test binary: one
//! link instead of one per file.

mod common;
#[path = "../../../../tests/support/private_cups.rs"]
mod private_cups;

mod action;
mod backup;
mod campaign;
mod campaign_mail;
mod cards;
mod complaint;
mod coupon;
mod doctor;
mod history;
mod init;
mod member;
mod member_data;
mod printing;
mod program;
mod punch;
mod redeem;
mod scan;
mod staff;
mod survey;
mod void;

mod copy_the_file;
mod crash;
mod errors;
mod full_disk;
mod sign_in;
mod story;
mod text_output;
mod two_processes;
