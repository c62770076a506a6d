package pgstore

// PruneBatch is how many rows one of Prune's statements deletes at most.
const PruneBatch = pruneBatch
