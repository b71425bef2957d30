//! What people type, checked and normalised before it reaches the store: names, emails,
//! phones, PINs, languages; and phone numbers as search keys.

pub mod money;
pub mod phone;
pub mod validate;
