module beacon.test/duration-oracle

go 1.22
