//! How a server keeps the promise "a broken upload leaves nothing": the
//! blocks go into a temporary file beside the destination, and only a whole
//! file is renamed over it. Two uploads of the same name, the second cut
//! off halfway, in a scratch directory.
//!
//! Run it: `cargo run -p tftp --example atomic_upload`

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

// ANCHOR: receive
/// Writes the blocks of an upload as `name` in `dir`: all of them, or, on
/// any error, nothing at all (an existing file of that name is untouched).
fn receive_upload(
    dir: &Path,
    name: &str,
    blocks: impl IntoIterator<Item = io::Result<Vec<u8>>>,
) -> io::Result<u64> {
    // Beside the destination, so that the rename stays on one file system
    // (and is atomic); hidden, and never an existing file (create_new).
    let temporary = dir.join(format!(".upload-{}-{name}", std::process::id()));
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temporary)?;
    match write_all_blocks(&mut file, blocks) {
        Ok(bytes) => {
            // The name now shows the new file whole, never a mixture.
            fs::rename(&temporary, dir.join(name))?;
            Ok(bytes)
        }
        Err(error) => {
            let _ = fs::remove_file(&temporary);
            Err(error)
        }
    }
}

fn write_all_blocks(
    file: &mut File,
    blocks: impl IntoIterator<Item = io::Result<Vec<u8>>>,
) -> io::Result<u64> {
    let mut bytes = 0;
    for block in blocks {
        let block = block?;
        file.write_all(&block)?;
        bytes += block.len() as u64;
    }
    // On disk before the rename makes it visible.
    file.sync_all()?;
    Ok(bytes)
}
// ANCHOR_END: receive

fn main() -> io::Result<()> {
    let dir = scratch_dir()?;
    // ANCHOR: main
    let whole = vec![
        Ok(vec![b'a'; 512]),
        Ok(vec![b'a'; 512]),
        Ok(vec![b'a'; 100]),
    ];
    let bytes = receive_upload(&dir, "notes.txt", whole)?;
    println!(
        "upload 1: {bytes} bytes, whole; the directory: {:?}",
        listing(&dir)?
    );

    let silent = io::Error::new(io::ErrorKind::TimedOut, "the client went silent");
    let broken = vec![Ok(vec![b'b'; 512]), Ok(vec![b'b'; 512]), Err(silent)];
    match receive_upload(&dir, "notes.txt", broken) {
        Ok(bytes) => println!("upload 2: {bytes} bytes"),
        Err(error) => println!("upload 2: failed ({error})"),
    }
    let kept = fs::read(dir.join("notes.txt"))?;
    println!(
        "the directory: {:?}; notes.txt still holds upload 1: {} bytes of 'a'",
        listing(&dir)?,
        kept.iter().filter(|&&b| b == b'a').count()
    );
    // ANCHOR_END: main
    fs::remove_dir_all(&dir)
}

/// The names in `dir`, hidden ones included, sorted.
fn listing(dir: &Path) -> io::Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in fs::read_dir(dir)? {
        names.push(entry?.file_name().to_string_lossy().into_owned());
    }
    names.sort();
    Ok(names)
}

/// A fresh directory under the system's temporary directory.
fn scratch_dir() -> io::Result<PathBuf> {
    let dir =
        std::env::temp_dir().join(format!("netlab-upload-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir(&dir)?;
    Ok(dir)
}
