//! What several commands share: who is acting (sign-in with a PIN), and what a typed code or a
//! `--program` names. What a signed-in staff member may do is the core's permission table's.

use tessera_core::counter::lookup::MemberView;
use tessera_core::ids::ProgramId;
use tessera_core::people::shop::Actor;
use tessera_core::{CoreError, Result, Store};

use super::Context;

/// Who is acting: the staff member named by `--staff` or TESSERA_STAFF, signed in with their
/// PIN from `--pin`, TESSERA_PIN, or a prompt when a person is at a terminal. A till that is
/// not set up says so before asking who acts.
pub async fn signed_in(cx: &Context<'_>) -> Result<Actor> {
    cx.store.require_shop().await?;
    let name = cx.staff.ok_or(CoreError::SignInRequired)?;
    let pin = match cx
        .pin
        .map(str::to_string)
        .or_else(|| std::env::var("TESSERA_PIN").ok())
    {
        Some(pin) => pin,
        None => ask_pin(name)?,
    };
    Ok(Actor::from(&cx.store.sign_in(name, &pin).await?))
}

/// The PIN, typed without echo, when a person is at a terminal; a script gets sign_in_required.
fn ask_pin(name: &str) -> Result<String> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return Err(CoreError::SignInRequired);
    }
    rpassword::prompt_password(format!("PIN ({name}): ")).map_err(|_| CoreError::SignInRequired)
}

/// A new PIN: `given` (a `--pin`), TESSERA_NEW_PIN, or typed twice without echo on a terminal.
pub fn new_pin(given: Option<String>, prompt: &str) -> Result<String> {
    use std::io::IsTerminal;
    if let Some(pin) = given.or_else(|| std::env::var("TESSERA_NEW_PIN").ok()) {
        return Ok(pin);
    }
    if !std::io::stdin().is_terminal() {
        return Err(CoreError::InvalidPin);
    }
    let ask = |prompt: &str| rpassword::prompt_password(prompt).map_err(|_| CoreError::InvalidPin);
    let pin = ask(prompt)?;
    if ask("The same PIN again: ")? != pin {
        return Err(CoreError::InvalidPin);
    }
    Ok(pin)
}

/// Every code the CLI takes goes through the same decoding as a scan at the counter.
pub async fn member_by_code(store: &Store, input: &str) -> Result<MemberView> {
    store.lookup(input, &[]).await?.into_result()
}

/// The member named by their card (code or scanned token) or by their id (which must be a
/// member's here).
pub async fn member_id(store: &Store, input: &str) -> Result<tessera_core::ids::MemberId> {
    let view = match input.trim().parse::<tessera_core::ids::MemberId>() {
        Ok(id) => store.member_view(id).await?,
        Err(_) => member_by_code(store, input).await?,
    };
    Ok(view.member.id)
}

/// `--program` takes a program's id or its name; left out, the core picks the one active.
pub async fn program_id(store: &Store, program: Option<&str>) -> Result<Option<ProgramId>> {
    match program {
        Some(named) => Ok(Some(store.program_named(named).await?.id)),
        None => Ok(None),
    }
}
