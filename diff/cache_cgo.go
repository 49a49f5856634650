//go:build cgo

package diff

func (w *Wasmtime) attachCache(c *ModuleCache) error { return w.cache.attach(c, w.Name()) }
