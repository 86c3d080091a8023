// Command etcd is the upstream etcd server (the storage kube-apiserver needs),
// identical to go.etcd.io/etcd/server/v3's own main package.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
