// Warns, 5 minutes before an idle session ends, that the person will be signed out, with a
// "Stay signed in" button that renews the session (a POST with the CSRF token). Without
// JavaScript nothing is shown and nothing breaks: a form sent after the session ended is kept
// and given back after signing in again (docs/adr/0007-sign-in-security.md).
const banner = document.getElementById('session-timeout')

if (banner) {
  const sessionSeconds = Number(banner.dataset.sessionSeconds)
  const warnSeconds = Math.min(Number(banner.dataset.warnSeconds), sessionSeconds)
  const form = banner.querySelector('form')
  const message = document.getElementById('session-timeout-message')
  let warnTimer = null
  let endTimer = null

  const schedule = () => {
    window.clearTimeout(warnTimer)
    window.clearTimeout(endTimer)
    warnTimer = window.setTimeout(warn, (sessionSeconds - warnSeconds) * 1000)
    endTimer = window.setTimeout(ended, sessionSeconds * 1000)
  }

  const minutes = (seconds) => {
    const whole = Math.max(1, Math.round(seconds / 60))
    return whole === 1 ? '1 minute' : `${whole} minutes`
  }

  const warn = () => {
    message.textContent = `You will be signed out in ${minutes(warnSeconds)}`
    form.hidden = false
    banner.hidden = false
    banner.focus()
  }

  const ended = () => {
    message.textContent = 'You have been signed out because you did nothing for a while. Anything you type in a form is kept: you will be asked to sign in again when you send it.'
    form.hidden = true
    banner.hidden = false
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    try {
      const response = await fetch(form.action, {
        method: 'POST',
        body: new FormData(form),
        headers: { Accept: 'application/json' },
        credentials: 'same-origin'
      })
      if (response.ok) {
        banner.hidden = true
        schedule()
        return
      }
    } catch (error) {
      // Fall through: the page is reloaded, which signs in again if the session has ended.
    }
    window.location.reload()
  })

  schedule()
}
