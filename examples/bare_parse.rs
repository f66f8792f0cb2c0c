//! The practical floor for reading an orders export: one pass of the `csv`
//! crate with a single reused `ByteRecord`, touching every field and doing
//! nothing else. `bench/run.sh` compares `ahr audit` with this.
//!
//! ```text
//! cargo run --release --example bare_parse -- /tmp/ahr-bench/5m/orders.csv
//! ```

use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: bare_parse ORDERS.csv");
        return ExitCode::from(2);
    };
    let mut reader = match csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_path(&path)
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let mut record = csv::ByteRecord::new();
    let (mut rows, mut bytes) = (0u64, 0u64);
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                eprintln!("error: {path}: {e}");
                return ExitCode::from(2);
            }
        }
        rows += 1;
        // Touch every field, so the parse cannot be optimised away.
        for field in record.iter() {
            bytes += field.len() as u64;
        }
    }
    println!("{rows} rows, {bytes} field bytes");
    ExitCode::SUCCESS
}
