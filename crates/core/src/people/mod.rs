//! The people of a shop: the shop and this till, its staff with their PINs and roles, the
//! sign-in guard, the permission table, and the members (their personal data, kept apart from the ledger).

pub mod auth;
pub mod members;
pub mod shop;
pub mod sign_in;
pub mod staff;
