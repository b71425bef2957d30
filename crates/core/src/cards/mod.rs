//! Loyalty cards as a shop keeps them: the chain keys that sign tokens, the registry of every
//! card issued (revocation, reissue), and printing them as PDFs; coupons' vouchers too. (The formats printed on a
//! card, code and token, are in codes/.)

pub mod pdf;
pub mod print;
pub mod registry;
pub mod voucher;
