module beacon/lz4-fixtures

go 1.26.0

require github.com/pierrec/lz4/v4 v4.1.33
