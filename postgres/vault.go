package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/crypt"
)

// vault holds the keys that seal personal data: the keyring of
// REDRESS_DATA_KEYS, the index key, and the customers' data keys, cached
// for a short while (an erasure elsewhere is seen within keyCacheFor; its
// rows are scrubbed anyway).
type vault struct {
	ring *crypt.Keyring

	mu     sync.Mutex
	index  *crypt.Index
	system map[string]*crypt.DataKey // Redress's own keys by name, once committed
	keys   map[string]cachedKey
	owners map[string]string // complaint id -> the customer whose key encrypts its workflow's payloads
}

type cachedKey struct {
	key   *crypt.DataKey
	until time.Time
}

const (
	keyCacheFor  = time.Minute
	keyCacheSize = 100_000
	indexKeyName = "index"
)

// errNoKeyring is a store opened without REDRESS_DATA_KEYS asked for
// personal data.
var errNoKeyring = errors.New("postgres: personal data needs REDRESS_DATA_KEYS")

// ErrErased is the data key of a customer who has been erased.
var ErrErased = redress.Errorf(redress.EGONE, "this customer's personal data has been erased")

// key is a customer's data key: read from customer_keys through q (a
// transaction sees the key it made), made if the customer has none yet.
// A key is cached only once it is known to be committed: one made by the
// transaction reading it (created_at = now()) may yet be rolled back.
func (db *DB) key(ctx context.Context, q querier, customerID string) (*crypt.DataKey, error) {
	v := db.vault
	if v.ring == nil {
		return nil, errNoKeyring
	}
	v.mu.Lock()
	cached, ok := v.keys[customerID]
	v.mu.Unlock()
	if ok && time.Now().Before(cached.until) {
		return cached.key, nil
	}
	k, mine, err := db.loadKey(ctx, q, customerID)
	if err == nil && !mine {
		v.remember(customerID, k)
	}
	return k, err
}

// loadKey reads a customer's data key, making it if there is none; mine
// says whether q's transaction made it.
func (db *DB) loadKey(ctx context.Context, q querier, customerID string) (k *crypt.DataKey, mine bool, err error) {
	for range 2 {
		var kekID *string
		var wrapped []byte
		var destroyed bool
		err := q.QueryRow(ctx, `SELECT kek_id, wrapped, destroyed_at IS NOT NULL, created_at = now()
			FROM customer_keys WHERE customer_id = $1`, customerID).Scan(&kekID, &wrapped, &destroyed, &mine)
		if errors.Is(err, pgx.ErrNoRows) {
			if err := db.makeKey(ctx, q, customerID); err != nil {
				return nil, false, wrap(err)
			}
			continue
		}
		if err != nil {
			return nil, false, wrap(err)
		}
		if destroyed {
			return nil, false, ErrErased
		}
		secret, err := db.vault.ring.Unwrap(crypt.Wrapped{KeyID: *kekID, Bytes: wrapped}, customerID)
		if err != nil {
			return nil, false, err
		}
		k, err := crypt.NewDataKey(customerID, secret)
		return k, mine, err
	}
	return nil, false, fmt.Errorf("postgres: the data key of customer %s was neither found nor made", customerID)
}

func (db *DB) makeKey(ctx context.Context, q querier, customerID string) error {
	w, err := db.vault.ring.Wrap(crypt.NewSecret(), customerID)
	if err != nil {
		return err
	}
	rows, err := q.Query(ctx, `INSERT INTO customer_keys (customer_id, kek_id, wrapped) VALUES ($1, $2, $3)
		ON CONFLICT DO NOTHING`, customerID, w.KeyID, w.Bytes)
	if err != nil {
		return err
	}
	rows.Close()
	return rows.Err()
}

func (v *vault) remember(customerID string, k *crypt.DataKey) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.keys) >= keyCacheSize {
		for id := range v.keys { // map order: an arbitrary one goes
			delete(v.keys, id)
			break
		}
	}
	v.keys[customerID] = cachedKey{key: k, until: time.Now().Add(keyCacheFor)}
}

// forget drops a customer's key from this process's cache.
func (v *vault) forget(customerID string) {
	v.mu.Lock()
	delete(v.keys, customerID)
	v.mu.Unlock()
}

// indexKey is the key of the lookup and search hashes, made on first use
// and wrapped like a data key.
func (db *DB) indexKey(ctx context.Context, q querier) (crypt.Index, error) {
	v := db.vault
	if v.ring == nil {
		return crypt.Index{}, errNoKeyring
	}
	v.mu.Lock()
	ix := v.index
	v.mu.Unlock()
	if ix != nil {
		return *ix, nil
	}
	secret, mine, err := db.namedSecret(ctx, q, indexKeyName)
	if err != nil {
		return crypt.Index{}, err
	}
	got, err := crypt.NewIndex(secret)
	if err != nil {
		return crypt.Index{}, err
	}
	if !mine {
		v.mu.Lock()
		v.index = &got
		v.mu.Unlock()
	}
	return got, nil
}

// systemKey is a data key of Redress's own (not a customer's), made on
// first use under name: the webhooks' secrets are sealed with one.
func (db *DB) systemKey(ctx context.Context, q querier, name string) (*crypt.DataKey, error) {
	v := db.vault
	if v.ring == nil {
		return nil, errNoKeyring
	}
	v.mu.Lock()
	k := v.system[name]
	v.mu.Unlock()
	if k != nil {
		return k, nil
	}
	secret, mine, err := db.namedSecret(ctx, q, name)
	if err != nil {
		return nil, err
	}
	if k, err = crypt.NewDataKey(name, secret); err != nil || mine {
		return k, err
	}
	v.mu.Lock()
	if v.system == nil {
		v.system = map[string]*crypt.DataKey{}
	}
	v.system[name] = k
	v.mu.Unlock()
	return k, nil
}

// namedSecret reads the secret kept under name in data_keys, making it if
// there is none; mine says whether q's transaction made it.
func (db *DB) namedSecret(ctx context.Context, q querier, name string) (secret []byte, mine bool, err error) {
	v := db.vault
	for range 2 {
		var kekID string
		var wrapped []byte
		err := q.QueryRow(ctx, `SELECT kek_id, wrapped, created_at = now() FROM data_keys WHERE name = $1`,
			name).Scan(&kekID, &wrapped, &mine)
		if errors.Is(err, pgx.ErrNoRows) {
			w, err := v.ring.Wrap(crypt.NewSecret(), name)
			if err != nil {
				return nil, false, err
			}
			rows, err := q.Query(ctx, `INSERT INTO data_keys (name, kek_id, wrapped) VALUES ($1, $2, $3)
				ON CONFLICT DO NOTHING`, name, w.KeyID, w.Bytes)
			if err != nil {
				return nil, false, wrap(err)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return nil, false, wrap(err)
			}
			continue
		}
		if err != nil {
			return nil, false, wrap(err)
		}
		secret, err := v.ring.Unwrap(crypt.Wrapped{KeyID: kekID, Bytes: wrapped}, name)
		return secret, mine, err
	}
	return nil, false, fmt.Errorf("postgres: the key %s was neither found nor made", name)
}

// open reads a sealed value kept at place: through the data key its seal
// names, so a value moved to another customer's row by a merge still opens.
// An erased customer's value reads as nothing; a value written before
// encryption at rest, as it is.
func (db *DB) open(ctx context.Context, q querier, place, value string) (string, error) {
	owner, sealed := crypt.SealedBy(value)
	if !sealed {
		return value, nil
	}
	if _, err := uuid.Parse(owner); err != nil {
		return "", fmt.Errorf("postgres: a sealed value at %s names no customer", place)
	}
	k, err := db.key(ctx, q, owner)
	if errors.Is(err, ErrErased) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	text, err := k.Open(place, value)
	if err != nil {
		return "", fmt.Errorf("postgres: %s: %w", place, err)
	}
	return text, nil
}

// opener opens many values of one read, the error kept for the end.
type opener struct {
	db  *DB
	ctx context.Context
	q   querier
	err error
}

func (db *DB) opener(ctx context.Context, q querier) *opener { return &opener{db: db, ctx: ctx, q: q} }

// text opens *value in place.
func (o *opener) text(place string, value *string) {
	if o.err != nil {
		return
	}
	*value, o.err = o.db.open(o.ctx, o.q, place, *value)
	o.err = wrap(o.err)
}

// place names where a value is kept, its associated data: the table's
// column and the row's identity.
func place(column string, row ...any) string {
	s := column
	for i, r := range row {
		if i == 0 {
			s += ":"
		} else {
			s += "/"
		}
		s += fmt.Sprint(r)
	}
	return s
}

func cryptWrapped(kekID string, wrapped []byte) crypt.Wrapped {
	return crypt.Wrapped{KeyID: kekID, Bytes: wrapped}
}
