//! mesh-converter: work in progress.
