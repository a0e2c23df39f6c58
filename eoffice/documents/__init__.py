"""Documents shared by the incoming and outgoing flows: metadata, files, access, numbering."""
