module beacon.test/url-oracle

go 1.22
