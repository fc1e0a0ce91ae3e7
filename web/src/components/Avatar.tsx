import { initials } from '../util'

/** Round avatar with the contact's initials, or a person silhouette when there is no name. */
export default function Avatar({ name, className }: { name: string | null; className?: string }) {
  const label = name?.trim()
  return (
    <span className={`avatar ${className ?? ''}`} aria-hidden="true">
      {label ? (
        initials(label)
      ) : (
        <svg viewBox="0 0 24 24">
          <circle cx="12" cy="8.5" r="4.5" fill="currentColor" />
          <path d="M3.5 21c.8-4.3 4.2-7 8.5-7s7.7 2.7 8.5 7z" fill="currentColor" />
        </svg>
      )}
    </span>
  )
}
