package redress

import "time"

// StaffUser is a person who signs in to the console: an agent, a
// supervisor or an admin. API keys serve machines; people get accounts.
type StaffUser struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"` // lower-case; one account per address
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	Disabled  bool      `json:"disabled"`
	CreatedAt time.Time `json:"created_at"`
}

// StaffRoles are the roles a person can hold; intake is for machines only.
var StaffRoles = []string{"agent", "supervisor", "admin"}
