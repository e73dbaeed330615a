//! Why a directory could not be loaded: one variant per cause, with the line to fix.

use std::path::PathBuf;

/// A directory file that could not be read or is not valid FedACH.
///
/// A malformed line is never skipped: a directory missing banks silently would be worse
/// than a server that refuses to start and says which line to fix. Lines count from 1.
#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    #[error("cannot read the directory file {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("line {line}: column {column} is not ASCII (FedACH columns are single bytes)")]
    NotAscii { line: usize, column: usize },
    #[error("line {line}: blank line before the end of the directory")]
    BlankLine { line: usize },
    #[error("line {line}: {length} characters, too short for a FedACH line ({min} to {max})")]
    LineTooShort {
        line: usize,
        length: usize,
        min: usize,
        max: usize,
    },
    #[error("line {line}: {length} characters, too long for a FedACH line ({min} to {max})")]
    LineTooLong {
        line: usize,
        length: usize,
        min: usize,
        max: usize,
    },
    #[error("line {line}: {routing_number:?} is not a valid ABA routing number")]
    BadRoutingNumber { line: usize, routing_number: String },
    #[error("line {line}: record type code {code:?} is not 0, 1 or 2")]
    BadRecordType { line: usize, code: char },
    #[error("line {line}: the customer name (columns 36-71) is blank")]
    MissingName { line: usize },
    #[error("line {line}: routing number {routing_number} already appears on line {first_line}")]
    DuplicateRoutingNumber {
        line: usize,
        routing_number: String,
        first_line: usize,
    },
    #[error("the directory holds no institution")]
    NoInstitutions,
    #[error("institution id {id:?} appears twice")]
    DuplicateId { id: String },
    #[error("well-known institutions, line {line}: {reason}")]
    WellKnown { line: usize, reason: String },
}
