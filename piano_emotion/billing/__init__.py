"""Documents built from quotes and invoices (PDFs)."""
