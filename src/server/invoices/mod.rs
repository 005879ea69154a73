//! Invoices and the documents made of them: the billing history, invoice queries, statements,
//! the PDF and CSV renderings and their downloads.

pub mod downloads;
pub mod history;
pub mod issue;
pub mod numbering;
pub mod pdf;
pub mod queries;
pub mod statements;
