"""Reader ratings: casting votes, voter identity, the vote form and the edit-screen summary."""
