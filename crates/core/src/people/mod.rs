//! The people of a shop: the shop and this till, its staff with their PINs and roles, the
//! sign-in guard, the permission table, and the members (their personal data, kept apart from
//! the ledger: their consent, erasure, access export, and files of members in and out).

pub mod auth;
pub mod member_data;
pub mod members;
pub mod members_csv;
pub mod shop;
pub mod sign_in;
pub mod staff;
