//! `cargo lab`: the workbook's command line (being written).

fn main() -> anyhow::Result<()> {
    let workbook = netlab::workbook::Workbook::from_current_dir()?;
    for exercise in &workbook.exercises {
        println!("{} {} ({} steps)", exercise.chapter, exercise.title, exercise.step_count());
    }
    Ok(())
}
